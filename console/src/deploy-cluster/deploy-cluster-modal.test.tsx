// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeployClusterModal } from './deploy-cluster-modal.js';
import { errorBody, FakeApi, serverInfo } from '../testing/fake-api.js';
import { renderWithApi } from '../testing/render.js';

afterEach(cleanup);

function setup(api = new FakeApi()) {
  const onDeployed = vi.fn();
  const onClose = vi.fn();
  renderWithApi(<DeployClusterModal isOpen onClose={onClose} onDeployed={onDeployed} />, api);
  const dialog = screen.getByRole('dialog', { name: 'Deploy cluster' });
  return { api, onDeployed, onClose, dialog, user: userEvent.setup() };
}

const nameInput = () => screen.getByRole<HTMLInputElement>('textbox', { name: /^Name/ });
const imageInput = () => screen.getByLabelText<HTMLInputElement>('Spark image');
const advancedToggle = () => screen.getByRole('button', { name: 'Advanced configuration' });
const deployButton = () => screen.getByRole('button', { name: 'Deploy' });

describe('DeployClusterModal', () => {
  it('asks for the name and workers up front and keeps the advanced section collapsed', async () => {
    const { user } = setup();
    expect(nameInput()).toBeVisible();
    expect(screen.getByRole('spinbutton', { name: 'Number of workers' })).toHaveValue(1);
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByLabelText('Spark image')).not.toBeVisible();

    await user.click(advancedToggle());
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'true');
    expect(imageInput()).toBeVisible();
    expect(imageInput()).toHaveAttribute('placeholder', 'docker.io/apache/spark:3.5.3');
    expect(screen.getByLabelText('Stored configuration')).toBeVisible();
    expect(screen.getByLabelText('Master Spark configuration')).toBeVisible();
    expect(screen.getByLabelText('Worker Spark configuration')).toBeVisible();
    expect(screen.getByRole('switch', { name: 'Expose the web UI' })).toBeChecked();
    expect(screen.getByLabelText('Metrics')).toHaveValue('');
  });

  it('deploys with the defaults: only the name and the worker count are sent', async () => {
    const { api, user, onDeployed } = setup();
    await user.type(nameInput(), 'demo');
    await user.click(deployButton());
    await waitFor(() => {
      expect(onDeployed).toHaveBeenCalledOnce();
    });
    expect(api.requestsTo('POST', '/clusters').map((r) => r.body)).toEqual([
      { name: 'demo', config: { workerCount: 1 } },
    ]);
  });

  it('shows the server rule for a bad name inline and sends nothing', async () => {
    const { api, user } = setup();
    await user.type(nameInput(), 'Bad_Name');
    await user.tab();
    expect(await screen.findByText(/a cluster name must start with a lowercase letter/)).toBeVisible();
    expect(nameInput()).toHaveAttribute('aria-invalid', 'true');
    await user.click(deployButton());
    expect(api.requestsTo('POST', '/clusters')).toEqual([]);
    expect(nameInput()).toHaveFocus();

    await user.clear(nameInput());
    await user.type(nameInput(), 'good-name');
    expect(screen.queryByText(/a cluster name must start/)).toBeNull();
  });

  it('rejects a bad image reference, opening the advanced section to show it', async () => {
    const { api, user } = setup();
    await user.type(nameInput(), 'demo');
    await user.click(advancedToggle());
    await user.type(imageInput(), 'Quay.io/Org/Spark:3.5');
    await user.click(advancedToggle());
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'false');
    await user.click(deployButton());
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'true');
    expect(await screen.findByText(/repository name must be lowercase: "Org"/)).toBeVisible();
    expect(api.requestsTo('POST', '/clusters')).toEqual([]);
  });

  it('sends a custom image and says that it is custom', async () => {
    const { api, user, onDeployed } = setup();
    await user.type(nameInput(), 'custom');
    await user.click(advancedToggle());
    await user.type(imageInput(), 'quay.io/team/spark:3.5-ml');
    expect(screen.getByText('custom image')).toBeVisible();
    expect(screen.getByText(/runs quay.io\/team\/spark:3.5-ml instead of the default/)).toBeVisible();
    await user.click(screen.getByRole('switch', { name: 'Expose the web UI' }));
    await user.selectOptions(screen.getByLabelText('Metrics'), 'prometheus');
    await user.click(deployButton());
    await waitFor(() => {
      expect(onDeployed).toHaveBeenCalledOnce();
    });
    expect(api.requestsTo('POST', '/clusters')[0]?.body).toEqual({
      name: 'custom',
      config: {
        workerCount: 1,
        sparkImage: 'quay.io/team/spark:3.5-ml',
        exposeWebUI: false,
        metrics: 'prometheus',
      },
    });
    expect(onDeployed.mock.calls[0]?.[0]).toMatchObject({ name: 'custom', customImage: true });
  });

  it('lets a stored configuration decide the worker count unless the user changed it', async () => {
    const { api, user } = setup();
    await user.type(nameInput(), 'stored');
    await user.click(advancedToggle());
    await user.type(screen.getByLabelText('Stored configuration'), 'small');
    await user.click(deployButton());
    await waitFor(() => {
      expect(api.requestsTo('POST', '/clusters')).toHaveLength(1);
    });
    expect(api.requestsTo('POST', '/clusters')[0]?.body).toEqual({
      name: 'stored',
      config: { name: 'small' },
    });
  });

  it('shows a server error next to the field it names and keeps the input', async () => {
    const api = new FakeApi();
    api.nextCreateError = {
      status: 422,
      body: errorBody(422, "image 'spark-missing' is not in the local image store", 'config.sparkImage'),
    };
    const { user, onDeployed } = setup(api);
    await user.type(nameInput(), 'demo');
    await user.click(advancedToggle());
    await user.type(imageInput(), 'spark-missing');
    await user.click(advancedToggle());
    await user.click(deployButton());
    const message = await screen.findByText("image 'spark-missing' is not in the local image store");
    expect(message.closest('.pf-v6-c-form__group')).toContainElement(imageInput());
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'true');
    expect(imageInput()).toHaveValue('spark-missing');
    expect(nameInput()).toHaveValue('demo');
    expect(onDeployed).not.toHaveBeenCalled();
    expect(document.querySelector('[data-test="deploy-alert"]')).toBeNull();
  });

  it('shows a name conflict under the name', async () => {
    const api = new FakeApi();
    api.nextCreateError = { status: 409, body: errorBody(409, "cluster 'demo' already exists", 'name') };
    const { user } = setup(api);
    await user.type(nameInput(), 'demo');
    await user.click(deployButton());
    const message = await screen.findByText("cluster 'demo' already exists");
    expect(message.closest('.pf-v6-c-form__group')).toContainElement(nameInput());
  });

  it('shows an error that names no field as a dialog alert', async () => {
    const api = new FakeApi();
    api.nextCreateError = {
      status: 422,
      body: errorBody(422, 'this server allows at most 1 clusters (OSHINKO_MAX_CLUSTERS)'),
    };
    const { user, dialog } = setup(api);
    await user.type(nameInput(), 'demo');
    await user.click(deployButton());
    await waitFor(() => {
      expect(within(dialog).getByText(/at most 1 clusters/)).toBeVisible();
    });
    expect(within(dialog).getByText('The cluster was not deployed')).toBeVisible();
    expect(nameInput()).toHaveValue('demo');
  });

  it('offers the local images on the local driver and still takes a typed reference', async () => {
    const api = new FakeApi(serverInfo({ driver: 'local', 'default-cluster-image': 'spark-default' }));
    const image = (ref: string, isDefault: boolean) => ({
      ref,
      base: null,
      sparkHome: '/opt/spark',
      sparkVersion: '4.0.1',
      createdAt: '2026-01-01T00:00:00Z',
      isDefault,
      jars: [],
      pyFiles: [],
      conf: {},
      env: {},
      usedBy: [],
    });
    api.images = [image('spark-default', true), image('spark-ml', false)];
    const { user } = setup(api);
    await user.click(advancedToggle());
    const input = await screen.findByRole('combobox', { name: 'Spark image' });
    expect(input).toHaveAttribute('placeholder', 'spark-default');
    await user.click(input);
    const option = await screen.findByRole('option', { name: /spark-ml/ });
    await user.click(option);
    expect(input).toHaveValue('spark-ml');
    expect(screen.getByText('custom image')).toBeVisible();

    await user.clear(input);
    await user.type(input, 'my-own-image');
    expect(input).toHaveValue('my-own-image');
    expect(api.requestsTo('GET', '/images').length).toBeGreaterThan(0);
  });

  it('on Kubernetes, groups resources, pod settings and environment in the advanced section and sends them', async () => {
    const { api, user, onDeployed } = setup();
    await user.type(nameInput(), 'tuned');
    await user.click(advancedToggle());
    for (const section of ['Resources', 'Pods', 'Environment']) {
      expect(screen.getByRole('heading', { name: section, level: 3 })).toBeVisible();
    }
    await user.type(screen.getByLabelText('Master memory'), '1Gi');
    await user.type(screen.getByLabelText('Worker CPU'), '2');
    await user.type(screen.getByLabelText('Worker memory'), '4Gi');
    await user.selectOptions(screen.getByLabelText('Image pull policy'), 'Always');
    await user.type(screen.getByLabelText('Run as user'), '1001');
    await user.type(screen.getByLabelText('Image pull secrets'), 'regcred{Enter}other');
    await user.type(screen.getByLabelText('Node selector'), 'disktype=ssd{Enter}{Enter}zone=eu-1a');
    await user.type(screen.getByLabelText('Tolerations'), 'dedicated=spark:NoSchedule{Enter}gpu:NoExecute');
    await user.type(screen.getByLabelText('Pod labels'), 'team=data');
    await user.type(screen.getByLabelText('Pod annotations'), 'example.com/owner=ana');
    await user.type(screen.getByLabelText('Environment variables'), 'MODE=fast{Enter}EMPTY=');
    await user.type(screen.getByLabelText('Variables from Secrets'), 'TOKEN=creds:token');
    await user.click(deployButton());
    await waitFor(() => {
      expect(onDeployed).toHaveBeenCalledOnce();
    });
    expect(api.requestsTo('POST', '/clusters')[0]?.body).toEqual({
      name: 'tuned',
      config: {
        workerCount: 1,
        imagePullPolicy: 'Always',
        runAsUser: 1001,
        masterResources: { memory: '1Gi' },
        workerResources: { cpu: '2', memory: '4Gi' },
        imagePullSecrets: ['regcred', 'other'],
        nodeSelector: { disktype: 'ssd', zone: 'eu-1a' },
        tolerations: [
          { key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
          { key: 'gpu', operator: 'Exists', effect: 'NoExecute' },
        ],
        labels: { team: 'data' },
        annotations: { 'example.com/owner': 'ana' },
        env: [
          { name: 'MODE', value: 'fast' },
          { name: 'EMPTY', value: '' },
          { name: 'TOKEN', secretKeyRef: { name: 'creds', key: 'token' } },
        ],
      },
    });
  });

  it("checks pod settings by the server's rules as they are typed, naming the wrong line, and sends nothing", async () => {
    const { api, user } = setup();
    await user.type(nameInput(), 'tuned');
    await user.click(advancedToggle());
    const workerMemory = screen.getByLabelText('Worker memory');
    await user.type(workerMemory, '512Mi');
    await user.tab();
    expect(
      await screen.findByText(/a worker keeps 512 MiB and 10% for itself .* give at least 854Mi/),
    ).toBeVisible();
    expect(workerMemory).toHaveAttribute('aria-invalid', 'true');

    const uid = screen.getByLabelText('Run as user');
    await user.type(uid, 'spark');
    await user.tab();
    expect(await screen.findByText(/^expected a UID from 1 to 2147483647, or "image"/)).toBeVisible();
    expect(uid).toHaveAttribute('aria-invalid', 'true');

    const selector = screen.getByLabelText('Node selector');
    await user.type(selector, 'disktype=ssd{Enter}{Enter}disk type=fast');
    await user.tab();
    expect(await screen.findByText(/^line 3: "disk type" is not a valid key/)).toBeVisible();

    await user.type(screen.getByLabelText('Tolerations'), 'dedicated=spark');
    await user.tab();
    expect(
      await screen.findByText('line 1: expected KEY[=VALUE]:EFFECT, e.g. dedicated=spark:NoSchedule'),
    ).toBeVisible();
    await user.type(screen.getByLabelText('Tolerations'), ':NoSchedul');
    expect(
      await screen.findByText('line 1: "NoSchedul" is not one of NoSchedule, PreferNoSchedule, NoExecute'),
    ).toBeVisible();

    await user.type(screen.getByLabelText('Image pull secrets'), 'regcred{Enter}RegCred');
    await user.tab();
    expect(await screen.findByText(/^line 2: "RegCred" is not a valid Secret name/)).toBeVisible();

    await user.type(screen.getByLabelText('Pod labels'), 'oshinko-cluster=x');
    await user.tab();
    expect(await screen.findByText('line 1: "oshinko-cluster" is set by oshinko itself')).toBeVisible();

    await user.type(screen.getByLabelText('Environment variables'), 'TOKEN=plain');
    await user.type(screen.getByLabelText('Variables from Secrets'), 'TOKEN=creds');
    await user.tab();
    expect(await screen.findByText('line 1: expected NAME=SECRET:KEY, e.g. TOKEN=creds:token')).toBeVisible();
    await user.type(screen.getByLabelText('Variables from Secrets'), ':token');
    expect(await screen.findByText('line 1: TOKEN is given twice')).toBeVisible();

    await user.click(deployButton());
    expect(api.requestsTo('POST', '/clusters')).toEqual([]);
    expect(workerMemory).toHaveFocus();

    await user.clear(workerMemory);
    await user.type(workerMemory, '2Gi');
    expect(screen.queryByText(/a worker keeps 512 MiB/)).toBeNull();
  });

  it('puts a server error about a pod setting on its field', async () => {
    const api = new FakeApi();
    api.nextCreateError = {
      status: 400,
      body: errorBody(
        400,
        'invalid config.env[1].secretKeyRef.name: no such Secret',
        'config.env[1].secretKeyRef.name',
      ),
    };
    const { user } = setup(api);
    await user.type(nameInput(), 'demo');
    await user.click(advancedToggle());
    const fromSecret = screen.getByLabelText('Variables from Secrets');
    await user.type(fromSecret, 'TOKEN=gone:token');
    await user.click(advancedToggle());
    await user.click(deployButton());
    const message = await screen.findByText(/no such Secret/);
    expect(message.closest('.pf-v6-c-form__group')).toContainElement(fromSecret);
    expect(fromSecret).toHaveValue('TOKEN=gone:token');
  });

  it('offers the resources but no other pod settings nor Spark configuration sets on the local driver, which runs processes', async () => {
    const api = new FakeApi(serverInfo({ driver: 'local' }));
    const { user, onDeployed } = setup(api);
    await user.type(nameInput(), 'local');
    await user.click(advancedToggle());
    expect(screen.getByLabelText('Metrics')).toBeVisible();
    expect(screen.getByRole('heading', { name: 'Resources' })).toBeVisible();
    expect(screen.getByText(/What Spark is told on this machine, not limits/)).toBeVisible();
    expect(screen.getByLabelText('Worker memory')).toBeVisible();
    expect(screen.queryByLabelText('Node selector')).toBeNull();
    expect(screen.queryByLabelText('Environment variables')).toBeNull();
    expect(screen.queryByLabelText('Tolerations')).toBeNull();
    expect(screen.queryByLabelText('Image pull secrets')).toBeNull();
    // The local driver refuses ConfigMaps of Spark configuration: its images carry their conf.
    expect(screen.queryByLabelText('Master Spark configuration')).toBeNull();
    expect(screen.queryByLabelText('Worker Spark configuration')).toBeNull();
    expect(screen.getByLabelText('Stored configuration')).toBeVisible();
    await user.type(screen.getByLabelText('Worker CPU'), '1');
    await user.type(screen.getByLabelText('Worker memory'), '1Gi');
    await user.click(deployButton());
    await waitFor(() => {
      expect(onDeployed).toHaveBeenCalledOnce();
    });
    expect(api.requestsTo('POST', '/clusters')[0]?.body).toEqual({
      name: 'local',
      config: { workerCount: 1, workerResources: { cpu: '1', memory: '1Gi' } },
    });
  });
});
