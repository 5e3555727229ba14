// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterListPage } from './cluster-list-page.js';
import { clusterModel, FakeApi } from '../testing/fake-api.js';
import { renderWithApi } from '../testing/render.js';

afterEach(cleanup);

const REFRESH_MS = 50;

function setup(api: FakeApi) {
  renderWithApi(<ClusterListPage refreshMs={REFRESH_MS} />, api);
  return userEvent.setup();
}

function shownNames(): string[] {
  return [...document.querySelectorAll('[data-test="cluster-row"]')].map(
    (tr) => tr.getAttribute('data-name') ?? '',
  );
}

function pagination(variant: 'top' | 'bottom'): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-test="cluster-pagination-${variant}"]`);
  if (element === null) throw new Error(`no ${variant} pagination`);
  return element;
}

async function row(name: string): Promise<HTMLElement> {
  const link = await screen.findByRole('link', { name });
  const tr = link.closest('tr');
  if (tr === null) throw new Error(`no row for ${name}`);
  return tr;
}

describe('ClusterListPage', () => {
  it('shows an empty state that offers to deploy a cluster', async () => {
    const user = setup(new FakeApi());
    expect(await screen.findByText('No Spark clusters yet')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Deploy cluster' }));
    expect(await screen.findByRole('dialog', { name: 'Deploy cluster' })).toBeVisible();
  });

  it('lists each cluster with its status, master URL, workers, image and web UI', async () => {
    const api = new FakeApi()
      .add(
        clusterModel('alpha', {
          status: 'Creating',
          reason: '1/3 workers ready',
          config: { ...clusterModel('alpha').config, workerCount: 3 },
          workers: { desired: 3, ready: 1 },
          masterWebRoute: 'alpha-ui-route.apps.example.com',
        }),
      )
      .add(
        clusterModel('beta', {
          image: 'quay.io/team/spark:ml',
          customImage: true,
          imageSource: 'request',
        }),
      );
    setup(api);
    const alpha = within(await row('alpha'));
    expect(alpha.getByRole('link', { name: 'alpha' })).toHaveAttribute('href', '/ui/clusters/alpha');
    expect(alpha.getByText('Creating')).toBeVisible();
    expect(alpha.getByText('1/3')).toBeVisible();
    expect(alpha.getByText('spark://alpha:7077')).toBeVisible();
    expect(alpha.getByRole('button', { name: 'Copy the master URL of alpha' })).toBeVisible();
    expect(alpha.getByRole('link', { name: /Spark web UI of alpha/ })).toHaveAttribute(
      'href',
      'http://alpha-ui-route.apps.example.com',
    );
    expect(alpha.queryByText('custom')).toBeNull();
    // Created 90 s ago (the fake's clusters are): the same age as `oshinko get` prints, e.g. 90s, or a few seconds
    // more when the machine is slow to render.
    const age = alpha.getByText(/^\d+s$/);
    expect(age).toBeVisible();
    expect(Number.parseInt(age.textContent, 10)).toBeGreaterThanOrEqual(90);
    expect(Number.parseInt(age.textContent, 10)).toBeLessThan(120);

    const beta = within(await row('beta'));
    expect(beta.getByText('Running')).toBeVisible();
    expect(beta.getByText('2/2')).toBeVisible();
    expect(beta.getByText('custom')).toBeVisible();
    expect(beta.getByRole('link', { name: /Spark web UI of beta/ })).toHaveAttribute(
      'href',
      'http://beta-ui:8080',
    );
  });

  it('refreshes on its own without dropping the table', async () => {
    const api = new FakeApi().add(
      clusterModel('alpha', { status: 'Creating', workers: { desired: 2, ready: 0 } }),
    );
    setup(api);
    const table = await screen.findByRole('grid', { name: 'Spark clusters' });
    expect(within(await row('alpha')).getByText('0/2')).toBeVisible();
    api.add(clusterModel('alpha'));
    api.add(clusterModel('gamma'));
    await waitFor(() => {
      expect(screen.getByRole('link', { name: 'gamma' })).toBeVisible();
    });
    expect(within(await row('alpha')).getByText('Running')).toBeVisible();
    expect(screen.getByRole('grid', { name: 'Spark clusters' })).toBe(table);
  });

  it('deletes a cluster only after confirmation', async () => {
    const api = new FakeApi().add(clusterModel('alpha')).add(clusterModel('beta'));
    const user = setup(api);
    await user.click(within(await row('alpha')).getByRole('button', { name: 'Actions for alpha' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: /Delete cluster alpha/ });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.requestsTo('DELETE', '/clusters/alpha')).toEqual([]);

    await user.click(within(await row('alpha')).getByRole('button', { name: 'Actions for alpha' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Delete' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: /Delete cluster alpha/ })).getByRole('button', {
        name: 'Delete',
      }),
    );
    await waitFor(() => {
      expect(screen.queryByRole('link', { name: 'alpha' })).toBeNull();
    });
    expect(api.requestsTo('DELETE', '/clusters/alpha')).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'beta' })).toBeVisible();
  });

  it('scales a cluster to the number of workers entered', async () => {
    const api = new FakeApi().add(clusterModel('alpha'));
    const user = setup(api);
    await user.click(within(await row('alpha')).getByRole('button', { name: 'Actions for alpha' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Scale' }));
    const dialog = await screen.findByRole('dialog', { name: 'Scale alpha' });
    const input = within(dialog).getByRole('spinbutton', { name: 'Number of workers' });
    expect(input).toHaveValue(2);
    await user.clear(input);
    await user.type(input, '99');
    expect(within(dialog).getByText('the number of workers is an integer from 0 to 10')).toBeVisible();
    expect(within(dialog).getByRole('button', { name: 'Scale' })).toBeDisabled();
    await user.clear(input);
    await user.type(input, '5');
    await user.click(within(dialog).getByRole('button', { name: 'Scale' }));
    await waitFor(() => {
      expect(
        within(screen.getByRole('link', { name: 'alpha' }).closest('tr') as HTMLElement).getByText('2/5'),
      ).toBeVisible();
    });
    expect(api.requestsTo('PUT', '/clusters/alpha').map((r) => r.body)).toEqual([
      { name: 'alpha', config: { workerCount: 5 } },
    ]);
  });

  it('shows 20 clusters a page and pages through the rest', async () => {
    const api = new FakeApi();
    for (let i = 1; i <= 25; i++) api.add(clusterModel(`c${String(i).padStart(2, '0')}`));
    const user = setup(api);
    expect(await screen.findByRole('link', { name: 'c01' })).toBeVisible();
    expect(shownNames()).toHaveLength(20);
    expect(shownNames().at(-1)).toBe('c20');
    const bottom = within(pagination('bottom'));
    await user.click(bottom.getByRole('button', { name: 'Go to next page' }));
    expect(shownNames()).toEqual(['c21', 'c22', 'c23', 'c24', 'c25']);

    await user.click(bottom.getByRole('button', { name: /1 - 20 of|21 - 25 of/ }));
    await user.click(await screen.findByRole('menuitem', { name: '50 per page' }));
    expect(shownNames()).toHaveLength(25);
  });

  it('keeps the page within range when clusters disappear', async () => {
    const api = new FakeApi();
    for (let i = 1; i <= 25; i++) api.add(clusterModel(`c${String(i).padStart(2, '0')}`));
    const user = setup(api);
    await screen.findByRole('link', { name: 'c01' });
    await user.click(within(pagination('bottom')).getByRole('button', { name: 'Go to next page' }));
    expect(shownNames()).toHaveLength(5);
    for (let i = 11; i <= 25; i++) api.clusters.delete(`c${String(i)}`);
    await waitFor(() => {
      expect(shownNames()).toEqual(['c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08', 'c09', 'c10']);
    });
  });

  it('filters the clusters by name, across pages', async () => {
    const api = new FakeApi();
    for (let i = 1; i <= 30; i++) api.add(clusterModel(`batch-${String(i).padStart(2, '0')}`));
    api.add(clusterModel('ml-training')).add(clusterModel('ML-eval'));
    const user = setup(api);
    await screen.findByRole('link', { name: 'batch-01' });
    const search = screen.getByRole('textbox', { name: 'Filter clusters by name' });
    await user.type(search, 'ml-');
    await waitFor(() => {
      expect(shownNames()).toEqual(['ml-training', 'ML-eval']);
    });

    await user.clear(search);
    await user.type(search, 'nothing-like-it');
    expect(await screen.findByText('No cluster matches the filter')).toBeVisible();
    expect(screen.queryByText('No Spark clusters yet')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Clear the filter' }));
    expect(search).toHaveValue('');
    expect(shownNames()).toHaveLength(20);
  });

  it('opens the deploy dialog from the toolbar without losing the table', async () => {
    const api = new FakeApi().add(clusterModel('alpha'));
    const user = setup(api);
    const table = await screen.findByRole('grid', { name: 'Spark clusters' });
    await user.click(screen.getByRole('button', { name: 'Deploy cluster' }));
    expect(await screen.findByRole('dialog', { name: 'Deploy cluster' })).toBeVisible();
    // The modal hides the page from assistive technology while it is open.
    expect(screen.getByRole('grid', { name: 'Spark clusters', hidden: true })).toBe(table);
    expect(table).toHaveTextContent('alpha');
  });
});
