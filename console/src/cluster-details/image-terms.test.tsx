// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { DescriptionList } from '@patternfly/react-core';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { clusterModel } from '../testing/fake-api.js';
import { ImageTerms } from './image-terms.js';

afterEach(cleanup);

function byTest(container: HTMLElement, test: string): HTMLElement {
  const element = container.querySelector<HTMLElement>(`[data-test="${test}"]`);
  if (element === null) throw new Error(`no ${test}`);
  return element;
}

/** The image origin's description (data-test, as the e2e page objects select it). */
function renderTerms(cluster: ClusterModel): HTMLElement {
  const { container } = render(
    <DescriptionList>
      <ImageTerms cluster={cluster} />
    </DescriptionList>,
  );
  return byTest(container, 'details-image-source');
}

describe('ImageTerms', () => {
  it('says where the image came from: the request, a named stored configuration, the default', () => {
    const base = clusterModel('alpha');
    expect(renderTerms(clusterModel('alpha', { imageSource: 'request' }))).toHaveTextContent(
      'set in the deploy request',
    );
    cleanup();
    const stored = { imageSource: 'stored-config', config: { ...base.config, name: 'ml' } } as const;
    expect(renderTerms(clusterModel('alpha', stored))).toHaveTextContent('from the stored configuration ml');
    cleanup();
    expect(renderTerms(clusterModel('alpha', { imageSource: 'stored-config' }))).toHaveTextContent(
      'from the stored configuration',
    );
    cleanup();
    expect(renderTerms(base)).toHaveTextContent('server default');
  });

  it('badges an image that is not the server default', () => {
    renderTerms(clusterModel('alpha', { image: 'team/ml:1', customImage: true }));
    expect(screen.getByText('team/ml:1')).toBeVisible();
    expect(screen.getByText('custom')).toBeVisible();
    cleanup();
    renderTerms(clusterModel('alpha'));
    expect(screen.queryByText('custom')).toBeNull();
  });

  it('shows the Spark and Python the image carries once its check passed, and nothing before', () => {
    const { container } = render(
      <DescriptionList>
        <ImageTerms
          cluster={clusterModel('alpha', {
            sparkVersion: '3.5.3',
            javaVersion: '17.0.12',
            pythonVersion: '3.11.2',
          })}
        />
      </DescriptionList>,
    );
    expect(byTest(container, 'details-versions')).toHaveTextContent(
      'Spark 3.5.3 (Java 17.0.12), Python 3.11.2',
    );
    cleanup();
    const before = render(
      <DescriptionList>
        <ImageTerms cluster={clusterModel('alpha')} />
      </DescriptionList>,
    );
    expect(before.container.querySelector('[data-test="details-versions"]')).toBeNull();
  });
});
