// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterDetailsPage } from './cluster-details-page.js';
import { clusterModel, FakeApi, serverInfo } from '../testing/fake-api.js';
import { renderWithApi } from '../testing/render.js';

afterEach(cleanup);

const pod = (name: string, type: 'master' | 'worker', image: string) => ({
  name,
  type,
  ip: '10.0.0.7',
  status: 'Running',
  ready: true,
  image,
  restarts: type === 'worker' ? 2 : 0,
});

/** The effective configuration's list, once the page has loaded it. */
async function configList() {
  const list = await waitFor(() => {
    const found = document.querySelector<HTMLElement>('[data-test="details-config"]');
    if (found === null) throw new Error('no configuration shown yet');
    return found;
  });
  return within(list);
}

describe('ClusterDetailsPage', () => {
  it('shows the image and its origin, the config, the pods, a spark-submit line and the logs', async () => {
    const image = 'quay.io/team/spark:ml';
    const base = clusterModel('alpha');
    const api = new FakeApi().add(
      clusterModel('alpha', {
        image,
        customImage: true,
        imageSource: 'stored-config',
        config: { ...base.config, name: 'ml-config', sparkImage: image, metrics: 'prometheus' },
        pods: [pod('alpha-m-1', 'master', image), pod('alpha-w-1', 'worker', image)],
        events: [
          { time: '2026-01-01T10:00:00Z', type: 'Warning', reason: 'BackOff', message: 'restarting worker' },
        ],
      }),
    );
    const user = userEvent.setup();
    renderWithApi(<ClusterDetailsPage name="alpha" refreshMs={60_000} />, api);

    expect(await screen.findByRole('heading', { name: 'alpha', level: 1 })).toBeVisible();
    expect(screen.getByText('from the stored configuration ml-config')).toBeVisible();
    expect(screen.getAllByText('custom')[0]).toBeVisible();
    expect(
      screen.getByDisplayValue('spark-submit --master spark://alpha:7077 --deploy-mode client my_app.py'),
    ).toBeVisible();
    expect(screen.getByText('prometheus')).toBeVisible();

    const pods = within(screen.getByRole('grid', { name: 'Pods' }));
    expect(pods.getByText('alpha-w-1')).toBeVisible();
    expect(pods.getAllByText(image)).toHaveLength(2);
    expect(within(screen.getByRole('grid', { name: 'Events' })).getByText('restarting worker')).toBeVisible();

    expect(await screen.findByText(/log of alpha-m-1 of alpha/)).toBeVisible();
    await user.selectOptions(screen.getByLabelText('Pod whose log is shown'), 'alpha-w-1');
    expect(await screen.findByText(/log of alpha-w-1 of alpha/)).toBeVisible();
  });

  it('shows the pod settings the cluster has, and no rows for those it has not', async () => {
    const base = clusterModel('tuned');
    const api = new FakeApi().add(
      clusterModel('tuned', {
        config: {
          ...base.config,
          imagePullPolicy: 'IfNotPresent',
          runAsUser: 185,
          workerResources: { cpu: '2', memory: '4Gi' },
          imagePullSecrets: ['regcred'],
          nodeSelector: { disktype: 'ssd', zone: 'a' },
          tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
          env: [
            { name: 'MODE', value: 'fast' },
            { name: 'TOKEN', secretKeyRef: { name: 'creds', key: 'token' } },
          ],
        },
      }),
    );
    api.add(clusterModel('plain'));
    const { unmount } = renderWithApi(<ClusterDetailsPage name="tuned" refreshMs={60_000} />, api);
    const config = await configList();
    expect(config.getByText('Image pull policy')).toBeVisible();
    expect(config.getByText('IfNotPresent')).toBeVisible();
    expect(config.getByText('Runs as')).toBeVisible();
    expect(config.getByText('UID 185')).toBeVisible();
    expect(config.getByText('cpu 2, memory 4Gi')).toBeVisible();
    expect(config.getByText('disktype=ssd')).toBeVisible();
    expect(config.getByText('zone=a')).toBeVisible();
    expect(config.getByText('regcred')).toBeVisible();
    expect(config.getByText('gpu:NoSchedule')).toBeVisible();
    expect(config.getByText('MODE=fast')).toBeVisible();
    expect(config.getByText('TOKEN from Secret creds:token')).toBeVisible();
    expect(config.queryByText('Master resources')).toBeNull();
    expect(config.queryByText('Pod labels')).toBeNull();
    unmount();

    renderWithApi(<ClusterDetailsPage name="plain" refreshMs={60_000} />, api);
    const plain = await configList();
    for (const term of [
      'Image pull policy',
      'Runs as',
      'Image pull secrets',
      'Worker resources',
      'Node selector',
      'Tolerations',
      'Environment',
    ]) {
      expect(plain.queryByText(term)).toBeNull();
    }
  });

  it("on the local driver, offers spark-submit from the cluster image's own Spark home", async () => {
    const api = new FakeApi(serverInfo({ driver: 'local', 'default-cluster-image': 'spark:4.3.0' })).add(
      clusterModel('beta', { image: 'team/ml:1', customImage: true }),
    );
    api.images = [
      {
        ref: 'team/ml:1',
        base: 'spark:4.3.0',
        sparkHome: "/data/oshinko/images/team ml's/1",
        sparkVersion: '4.3.0',
        createdAt: '2026-01-01T00:00:00Z',
        isDefault: false,
        jars: [],
        pyFiles: [],
        conf: {},
        env: {},
        usedBy: ['beta'],
      },
    ];
    renderWithApi(<ClusterDetailsPage name="beta" refreshMs={60_000} />, api);
    expect(
      await screen.findByDisplayValue(
        "'/data/oshinko/images/team ml'\\''s/1/bin/spark-submit' --master spark://beta:7077 --deploy-mode client my_app.py",
      ),
    ).toBeVisible();
    expect(screen.getByText(/The client of team\/ml:1/)).toBeVisible();
  });

  it('says so when the cluster does not exist', async () => {
    renderWithApi(<ClusterDetailsPage name="ghost" refreshMs={60_000} />, new FakeApi());
    expect(await screen.findByText("cluster 'ghost' does not exist")).toBeVisible();
  });
});
