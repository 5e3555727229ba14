import {
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  Page,
  SkipToContent,
  Content,
} from '@patternfly/react-core';
import { ClusterDetailsPage } from './cluster-details/cluster-details-page.js';
import { ClusterListPage } from './cluster-list/cluster-list-page.js';
import { useApi } from './api-context.js';
import { routeOf, usePathname } from './navigation.js';

const MAIN_ID = 'oshinko-main';

export function App() {
  const { info } = useApi();
  const route = routeOf(usePathname());
  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadBrand>
          <MastheadLogo href="/">
            <span className="oshinko-brand">oshinko</span>
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Content component="small" className="oshinko-masthead-facts" data-test="server-facts">
          {info.driver} driver
          {info.details.namespace === undefined ? '' : ` · namespace ${info.details.namespace}`} · default
          image {info['default-cluster-image']}
        </Content>
      </MastheadContent>
    </Masthead>
  );
  return (
    <Page
      masthead={masthead}
      mainContainerId={MAIN_ID}
      skipToContent={<SkipToContent href={`#${MAIN_ID}`}>Skip to content</SkipToContent>}
    >
      {route.page === 'cluster' ? (
        <ClusterDetailsPage key={route.name} name={route.name} />
      ) : (
        <ClusterListPage />
      )}
    </Page>
  );
}
