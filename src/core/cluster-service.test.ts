import { describe, expect, it } from 'vitest';
import {
  IN_MEMORY_DEFAULT_IMAGE,
  InMemoryDriver,
  type InMemoryDriverOptions,
} from '../../test/support/in-memory-driver.js';
import type { ClusterConfigRequest } from './cluster-config.js';
import { SETTINGS } from './cluster-settings.js';
import { ClusterService, type NewClusterRequest, type ServiceSettings } from './cluster-service.js';
import {
  BackendUnavailableError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  isOshinkoError,
  LimitExceededError,
  NotFoundError,
  UnprocessableError,
} from './errors.js';

const DEFAULT_IMAGE = IN_MEMORY_DEFAULT_IMAGE;
const CUSTOM_IMAGE = 'quay.io/team/spark:custom';

/** Fixtures: each call returns a fresh copy, so no test sees another's changes. */
function settings(overrides: Partial<ServiceSettings> = {}): ServiceSettings {
  return {
    defaultImage: DEFAULT_IMAGE,
    maxWorkers: 8,
    maxClusters: 10,
    imagePolicy: { allowCustomImages: true, allowedPatterns: [] },
    ...overrides,
  };
}

function request(name: string, config?: ClusterConfigRequest): NewClusterRequest {
  return config === undefined ? { name } : { name, config: { ...config } };
}

function setup(options: { settings?: Partial<ServiceSettings>; driver?: InMemoryDriverOptions } = {}): {
  driver: InMemoryDriver;
  service: ClusterService;
} {
  const driver = new InMemoryDriver(options.driver);
  return { driver, service: new ClusterService(driver, settings(options.settings)) };
}

/** The settled error of a call that must fail. */
async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('ClusterService.create', () => {
  it('creates a cluster with the built-in defaults and the server default image', async () => {
    const { service, driver } = setup();
    const view = await service.create(request('alpha'));
    expect(view).toMatchObject({
      name: 'alpha',
      status: 'Running',
      image: DEFAULT_IMAGE,
      customImage: false,
      imageSource: 'default',
      storedConfig: undefined,
      config: { masterCount: 1, workerCount: 1, sparkImage: DEFAULT_IMAGE, exposeWebUI: true },
      masters: { desired: 1, ready: 1 },
      workers: { desired: 1, ready: 1 },
    });
    expect([...driver.clusters.keys()]).toEqual(['alpha']);
  });

  it.each([
    ['an upper-case letter', 'Alpha'],
    ['a leading digit', '1alpha'],
    ['a trailing dash', 'alpha-'],
    ['an empty name', ''],
    ['a name too long for the derived object names', `a${'b'.repeat(54)}`],
  ])('refuses %s before asking the driver anything', async (_what, name) => {
    const { service, driver } = setup();
    const error = await failure(service.create(request(name)));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'name' });
    expect(driver.calls).toEqual([]);
  });

  it('accepts the longest name whose derived object names fit 63 characters', async () => {
    const { service } = setup();
    const name = `a${'b'.repeat(53)}`;
    expect((await service.create(request(name))).name).toBe(name);
  });

  describe('merges the config: request > named stored config > default stored config > server default', () => {
    const storedConfigs = {
      'default-oshinko-cluster-config': { workercount: '2', sparkimage: 'quay.io/team/spark:base' },
      small: { workercount: '3', sparkimage: 'quay.io/team/spark:small' },
      'no-image': { workercount: '4' },
    };

    it('takes the request first', async () => {
      const { service } = setup({ driver: { storedConfigs } });
      const view = await service.create(
        request('alpha', { name: 'small', sparkImage: CUSTOM_IMAGE, workerCount: 5 }),
      );
      expect(view).toMatchObject({
        image: CUSTOM_IMAGE,
        imageSource: 'request',
        storedConfig: 'small',
        config: { workerCount: 5 },
      });
    });

    it('then the named stored configuration', async () => {
      const { service } = setup({ driver: { storedConfigs } });
      const view = await service.create(request('alpha', { name: 'small' }));
      expect(view).toMatchObject({
        image: 'quay.io/team/spark:small',
        imageSource: 'stored-config',
        customImage: true,
        config: { workerCount: 3 },
      });
    });

    it('then default-oshinko-cluster-config, field by field', async () => {
      const { service } = setup({ driver: { storedConfigs } });
      const view = await service.create(request('alpha', { name: 'no-image' }));
      expect(view).toMatchObject({
        image: 'quay.io/team/spark:base',
        imageSource: 'stored-config',
        config: { workerCount: 4 },
      });
    });

    it('then the server default image', async () => {
      const { service } = setup({ settings: { defaultImage: 'quay.io/admin/spark:default' } });
      const view = await service.create(request('alpha', {}));
      expect(view).toMatchObject({
        image: 'quay.io/admin/spark:default',
        imageSource: 'default',
        customImage: false,
      });
    });
  });

  it('refuses a named stored configuration that does not exist, naming config.name', async () => {
    const { service, driver } = setup();
    const error = await failure(service.create(request('alpha', { name: 'missing' })));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error).toMatchObject({ field: 'config.name', message: "named config 'missing' does not exist" });
    expect(driver.clusters.size).toBe(0);
  });

  it("refuses more workers than the server's limit, naming the field", async () => {
    const { service, driver } = setup({ settings: { maxWorkers: 2 } });
    const error = await failure(service.create(request('alpha', { workerCount: 3 })));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'config.workerCount' });
    expect(driver.calls).not.toContain('create');
  });

  describe('image policy', () => {
    it('refuses a custom image when custom images are off, before the driver checks or creates', async () => {
      const { service, driver } = setup({
        settings: { imagePolicy: { allowCustomImages: false, allowedPatterns: [] } },
      });
      const error = await failure(service.create(request('alpha', { sparkImage: CUSTOM_IMAGE })));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ field: 'config.sparkImage' });
      expect(driver.calls).not.toContain('checkImage');
      expect(driver.calls).not.toContain('create');
      // The default image is never a custom image.
      expect((await service.create(request('beta', { sparkImage: DEFAULT_IMAGE }))).customImage).toBe(false);
    });

    it('names config.imageUrl when the image came under that name', async () => {
      const { service } = setup({
        settings: { imagePolicy: { allowCustomImages: false, allowedPatterns: [] } },
      });
      const error = await failure(service.create(request('alpha', { imageUrl: CUSTOM_IMAGE })));
      expect(error).toMatchObject({ constructor: ForbiddenError, field: 'config.imageUrl' });
    });

    it('allows only images matching the allowed patterns', async () => {
      const { service } = setup({
        settings: { imagePolicy: { allowCustomImages: true, allowedPatterns: ['quay.io/team/**'] } },
      });
      expect((await service.create(request('alpha', { sparkImage: CUSTOM_IMAGE }))).image).toBe(CUSTOM_IMAGE);
      const error = await failure(service.create(request('beta', { sparkImage: 'docker.io/other/spark:1' })));
      expect(error).toMatchObject({ constructor: ForbiddenError, field: 'config.sparkImage' });
    });

    it("names the stored configuration when the refused image is the stored configuration's", async () => {
      const { service } = setup({
        settings: { imagePolicy: { allowCustomImages: false, allowedPatterns: [] } },
        driver: { storedConfigs: { small: { sparkimage: CUSTOM_IMAGE } } },
      });
      const error = await failure(service.create(request('alpha', { name: 'small' })));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ field: 'config.name' });
      expect((error as Error).message).toContain("the image of stored configuration 'small'");
    });
  });

  describe("the driver's image check", () => {
    it('names the request field when the driver refuses the image without naming one', async () => {
      const { service, driver } = setup({ driver: { images: [DEFAULT_IMAGE] } });
      const bySparkImage = await failure(service.create(request('alpha', { sparkImage: CUSTOM_IMAGE })));
      expect(bySparkImage).toMatchObject({ constructor: UnprocessableError, field: 'config.sparkImage' });
      const byImageUrl = await failure(service.create(request('alpha', { imageUrl: CUSTOM_IMAGE })));
      expect(byImageUrl).toMatchObject({ constructor: UnprocessableError, field: 'config.imageUrl' });
      expect(driver.clusters.size).toBe(0);
    });

    it("passes the driver's other errors on as they are", async () => {
      const { service, driver } = setup();
      const named = new UnprocessableError('bad image', { field: 'config.name' });
      driver.failWith('checkImage', named);
      expect(await failure(service.create(request('alpha')))).toBe(named);
      const down = new BackendUnavailableError('the image store is not reachable');
      driver.failWith('checkImage', down);
      expect(await failure(service.create(request('alpha')))).toBe(down);
      expect(driver.calls).not.toContain('create');
    });
  });

  describe('the cluster cap', () => {
    it('refuses a create beyond OSHINKO_MAX_CLUSTERS, and allows it again after a delete', async () => {
      const { service, driver } = setup({ settings: { maxClusters: 2 } });
      await service.create(request('alpha'));
      await service.create(request('beta'));
      const error = await failure(service.create(request('gamma')));
      expect(error).toBeInstanceOf(LimitExceededError);
      expect((error as Error).message).toBe(
        'this server allows at most 2 clusters (OSHINKO_MAX_CLUSTERS) and 2 exist; delete one first',
      );
      expect([...driver.clusters.keys()]).toEqual(['alpha', 'beta']);
      await service.delete('alpha');
      expect((await service.create(request('gamma'))).name).toBe('gamma');
    });

    it('says a taken name is taken, also at the cap', async () => {
      const { service } = setup({ settings: { maxClusters: 1 } });
      await service.create(request('alpha'));
      const error = await failure(service.create(request('alpha')));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ field: 'name', message: "cluster 'alpha' already exists" });
    });
  });

  it('lets one of two concurrent creates of a name win; the other gets a conflict', async () => {
    const { service, driver } = setup();
    const results = await Promise.allSettled([
      service.create(request('alpha', { workerCount: 1 })),
      service.create(request('alpha', { workerCount: 2 })),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ConflictError);
    expect(driver.calls.filter((call) => call === 'create')).toHaveLength(1);
  });

  it("passes a driver's failure to create on, and keeps no cluster", async () => {
    const { service, driver } = setup();
    const down = new BackendUnavailableError('the Kubernetes API is not reachable');
    driver.failWith('create', down);
    expect(await failure(service.create(request('alpha')))).toBe(down);
    expect(driver.clusters.size).toBe(0);
    driver.heal('create');
    expect((await service.create(request('alpha'))).status).toBe('Running');
  });
});

describe('ClusterService.get and list', () => {
  it('gets a cluster by name', async () => {
    const { service } = setup();
    await service.create(request('alpha', { workerCount: 2 }));
    expect(await service.get('alpha')).toMatchObject({
      name: 'alpha',
      status: 'Running',
      workers: { desired: 2, ready: 2 },
    });
  });

  it('answers NotFoundError for a missing cluster and InvalidInputError for a bad name', async () => {
    const { service, driver } = setup();
    const missing = await failure(service.get('alpha'));
    expect(missing).toMatchObject({ constructor: NotFoundError, message: "cluster 'alpha' does not exist" });
    driver.calls.length = 0;
    expect(await failure(service.get('Not_A_Name'))).toBeInstanceOf(InvalidInputError);
    expect(driver.calls).toEqual([]);
  });

  it('lists every cluster in name order', async () => {
    const { service } = setup();
    expect(await service.list()).toEqual([]);
    for (const name of ['gamma', 'alpha', 'beta']) await service.create(request(name));
    expect((await service.list()).map((view) => view.name)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('derives a view once per observation: an unchanged cluster keeps its view object', async () => {
    const { service } = setup();
    await service.create(request('alpha'));
    const first = await service.get('alpha');
    expect(await service.get('alpha')).toBe(first);
    expect((await service.list())[0]).toBe(first);
    await service.update('alpha', request('alpha', { workerCount: 2 }));
    expect(await service.get('alpha')).not.toBe(first);
  });

  it("passes a driver's failure to read on", async () => {
    const { service, driver } = setup();
    const down = new BackendUnavailableError('the Kubernetes API is not reachable');
    driver.failWith('list', down);
    driver.failWith('get', down);
    expect(await failure(service.list())).toBe(down);
    expect(await failure(service.get('alpha'))).toBe(down);
  });
});

describe('ClusterService.update keeps its word', () => {
  /** A value of each setting a running cluster cannot change, other than the one `alpha` was created with. */
  const CHANGES: Readonly<Record<string, unknown>> = {
    sparkMasterConfig: 'master-conf',
    sparkWorkerConfig: 'worker-conf',
    sparkImage: CUSTOM_IMAGE,
    exposeWebUI: false,
    metrics: 'prometheus',
    imagePullPolicy: 'Never',
    runAsUser: 1000,
    imagePullSecrets: ['regcred'],
    nodeSelector: { disk: 'ssd' },
    tolerations: [{ operator: 'Exists' }],
    labels: { team: 'data' },
    annotations: { 'example.com/owner': 'data' },
    env: [{ name: 'MODE', value: 'fast' }],
    masterResources: { cpu: '1' },
    workerResources: { cpu: '2' },
  };

  it('refuses a change of every setting it does not apply, naming the field, and changes nothing', async () => {
    const { service, driver } = setup();
    await service.create(request('alpha'));
    const before = driver.clusters.get('alpha')?.config;
    for (const row of SETTINGS.filter((setting) => setting.onChange === 'refuse')) {
      expect(CHANGES, `a change of ${row.key} to try`).toHaveProperty(row.key);
      const refused = await failure(
        service.update('alpha', request('alpha', { [row.key]: CHANGES[row.key] })),
      );
      expect(refused, row.key).toMatchObject({ constructor: UnprocessableError, field: `config.${row.key}` });
    }
    expect(driver.clusters.get('alpha')?.config).toEqual(before);
  });

  it('accepts what the cluster has, an empty list for none included, and the stored configuration it started from', async () => {
    const { service } = setup();
    await service.create(request('alpha', { labels: { team: 'data' } }));
    const same = await service.update(
      'alpha',
      request('alpha', {
        labels: { team: 'data' },
        tolerations: [],
        env: [],
        metrics: 'false',
        workerCount: 2,
      }),
    );
    expect(same.workers.desired).toBe(2);
    expect(await failure(service.update('alpha', request('alpha', { name: 'other' })))).toMatchObject({
      constructor: UnprocessableError,
      field: 'config.name',
    });
  });
});

describe('ClusterService.update (scale)', () => {
  it('changes the counts it is given and keeps the others', async () => {
    const { service, driver } = setup();
    await service.create(request('alpha', { workerCount: 2 }));
    const scaled = await service.update('alpha', request('alpha', { workerCount: 4 }));
    expect(scaled).toMatchObject({ masters: { desired: 1 }, workers: { desired: 4, ready: 4 } });
    const stopped = await service.update('alpha', request('alpha', { masterCount: 0, workerCount: 0 }));
    expect(stopped).toMatchObject({ status: 'Stopped', config: { masterCount: 0, workerCount: 0 } });
    expect(driver.clusters.get('alpha')?.config).toMatchObject({ masterCount: 0, workerCount: 0 });
  });

  it('accepts the image the cluster runs and refuses another, naming the field it came in', async () => {
    const { service } = setup();
    await service.create(request('alpha', { sparkImage: CUSTOM_IMAGE }));
    const same = await service.update(
      'alpha',
      request('alpha', { sparkImage: CUSTOM_IMAGE, workerCount: 2 }),
    );
    expect(same.workers.desired).toBe(2);
    const bySparkImage = await failure(
      service.update('alpha', request('alpha', { sparkImage: DEFAULT_IMAGE })),
    );
    expect(bySparkImage).toMatchObject({ constructor: UnprocessableError, field: 'config.sparkImage' });
    const byImageUrl = await failure(service.update('alpha', request('alpha', { imageUrl: DEFAULT_IMAGE })));
    expect(byImageUrl).toMatchObject({ constructor: UnprocessableError, field: 'config.imageUrl' });
  });

  it('refuses a body naming another cluster, and counts out of range', async () => {
    const { service } = setup({ settings: { maxWorkers: 3 } });
    await service.create(request('alpha'));
    expect(await failure(service.update('alpha', request('beta')))).toMatchObject({
      constructor: UnprocessableError,
      field: 'name',
    });
    expect(await failure(service.update('alpha', request('alpha', { workerCount: 4 })))).toMatchObject({
      constructor: InvalidInputError,
      field: 'config.workerCount',
    });
    expect(await failure(service.update('alpha', request('alpha', { masterCount: 2 })))).toMatchObject({
      constructor: InvalidInputError,
      field: 'config.masterCount',
    });
    expect((await service.get('alpha')).config).toMatchObject({ masterCount: 1, workerCount: 1 });
  });

  it('answers NotFoundError for a missing cluster without asking the driver to scale', async () => {
    const { service, driver } = setup();
    expect(await failure(service.update('alpha', request('alpha', { workerCount: 2 })))).toBeInstanceOf(
      NotFoundError,
    );
    expect(driver.calls).not.toContain('scale');
  });
});

describe('ClusterService.delete', () => {
  it('deletes a cluster; a second delete finds none', async () => {
    const { service, driver } = setup();
    await service.create(request('alpha'));
    await service.delete('alpha');
    expect(driver.clusters.size).toBe(0);
    expect(await failure(service.delete('alpha'))).toMatchObject({
      constructor: NotFoundError,
      message: "cluster 'alpha' does not exist",
    });
  });

  it('refuses a bad name before asking the driver', async () => {
    const { service, driver } = setup();
    expect(await failure(service.delete('-alpha'))).toBeInstanceOf(InvalidInputError);
    expect(driver.calls).toEqual([]);
  });
});

describe('ClusterService.logs', () => {
  it("gives the master's log by default and a named pod's when asked, the last lines only", async () => {
    const { service, driver } = setup();
    await service.create(request('alpha'));
    driver.podLogs.set('alpha-m-0', ['master 1', 'master 2', 'master 3']);
    driver.podLogs.set('alpha-w-0', ['worker 1']);
    expect(await service.logs('alpha', { tailLines: 2 })).toBe('master 2\nmaster 3');
    expect(await service.logs('alpha', { pod: 'alpha-w-0', tailLines: 10 })).toBe('worker 1');
  });

  it('answers NotFoundError naming the pod for a pod the cluster does not have', async () => {
    const { service } = setup();
    await service.create(request('alpha'));
    expect(await failure(service.logs('alpha', { pod: 'alpha-w-9', tailLines: 10 }))).toMatchObject({
      constructor: NotFoundError,
      field: 'pod',
      message: "cluster 'alpha' has no pod 'alpha-w-9'; its pods: alpha-m-0, alpha-w-0",
    });
  });
});

describe('ClusterService errors', () => {
  it('throws only domain errors, each with its stable code', async () => {
    const { service, driver } = setup({ settings: { maxClusters: 1 } });
    await service.create(request('alpha'));
    driver.failWith('logs', new BackendUnavailableError('the runtime is gone'));
    const errors = await Promise.all([
      failure(service.create(request('Bad'))),
      failure(service.create(request('alpha'))),
      failure(service.create(request('beta'))),
      failure(service.get('beta')),
      failure(service.update('alpha', request('alpha', { sparkImage: CUSTOM_IMAGE }))),
      failure(service.logs('alpha', { tailLines: 10 })),
    ]);
    expect(errors.every(isOshinkoError)).toBe(true);
    expect(errors.map((error) => (isOshinkoError(error) ? error.code : undefined))).toEqual([
      'invalid',
      'conflict',
      'limit',
      'not-found',
      'unprocessable',
      'unavailable',
    ]);
  });
});

describe('ClusterService settings and driver', () => {
  it("tells the driver's kind and facts, and has no image list where the driver has no image store", async () => {
    const { service } = setup({ driver: { kind: 'local' } });
    expect(service.driverKind).toBe('local');
    expect(service.describeDriver()).toEqual({ store: 'memory' });
    expect(await service.listImages()).toBeUndefined();
  });
});
