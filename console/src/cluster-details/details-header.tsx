import {
  Breadcrumb,
  BreadcrumbItem,
  Button,
  Flex,
  FlexItem,
  PageSection,
  Title,
} from '@patternfly/react-core';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { Link } from '../navigation.js';
import { StatusLabel } from '../shared/status-label.js';

interface DetailsHeaderProps {
  readonly name: string;
  /** Undefined until the cluster is read: the header then shows only the name. */
  readonly cluster: ClusterModel | undefined;
  readonly onScale: () => void;
  readonly onDelete: () => void;
}

/** The way back to the list, the cluster's name and status, and its Scale and Delete buttons. */
export function DetailsHeader({ name, cluster, onScale, onDelete }: DetailsHeaderProps) {
  return (
    <PageSection>
      <Breadcrumb>
        <BreadcrumbItem>
          <Link to="/">Clusters</Link>
        </BreadcrumbItem>
        <BreadcrumbItem isActive>{name}</BreadcrumbItem>
      </Breadcrumb>
      <Flex
        justifyContent={{ default: 'justifyContentSpaceBetween' }}
        alignItems={{ default: 'alignItemsCenter' }}
        className="pf-v6-u-mt-md"
      >
        <Flex alignItems={{ default: 'alignItemsCenter' }}>
          <FlexItem>
            <Title headingLevel="h1" data-test="details-title">
              {name}
            </Title>
          </FlexItem>
          {cluster !== undefined && (
            <FlexItem>
              <StatusLabel status={cluster.status} reason={cluster.reason} />
            </FlexItem>
          )}
        </Flex>
        {cluster !== undefined && (
          <Flex>
            <Button variant="secondary" onClick={onScale} data-test="details-scale">
              Scale
            </Button>
            <Button variant="danger" onClick={onDelete} data-test="details-delete">
              Delete
            </Button>
          </Flex>
        )}
      </Flex>
    </PageSection>
  );
}
