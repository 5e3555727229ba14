import { Button } from '@patternfly/react-core';
import { ExternalLinkAltIcon } from '@patternfly/react-icons';
import type { ReactNode } from 'react';
import { webUiUrl } from './format.js';

interface WebUiLinkProps {
  readonly cluster: { masterWebRoute?: string | undefined; masterWebUrl: string };
  readonly children: ReactNode;
  readonly 'aria-label'?: string;
  readonly 'data-test': string;
}

/** A link to the Spark master web UI of a cluster, opened in a new tab. */
export function WebUiLink({ cluster, children, ...rest }: WebUiLinkProps) {
  return (
    <Button
      variant="link"
      isInline
      component="a"
      href={webUiUrl(cluster)}
      target="_blank"
      rel="noopener noreferrer"
      icon={<ExternalLinkAltIcon />}
      iconPosition="end"
      {...rest}
    >
      {children}
    </Button>
  );
}
