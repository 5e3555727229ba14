import {
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
} from '@patternfly/react-core';
import type { ReactNode } from 'react';

/** One term and its description in a card's description list. */
export function Term({ term, children, test }: { term: string; children: ReactNode; test?: string }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription data-test={test}>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}
