import { describe, expect, it } from 'vitest';
import { resolveClusterConfig, type StoredConfigSource } from './cluster-config.js';
import { InvalidInputError, UnprocessableError } from './errors.js';

const DEFAULT = 'docker.io/apache/spark:4.0.1';

function source(maps: Record<string, Record<string, string>>): StoredConfigSource {
  return {
    read: (name) => Promise.resolve(maps[name]),
    describe: (name) => `ConfigMap '${name}'`,
  };
}

const resolve = (
  request: Parameters<typeof resolveClusterConfig>[0],
  maps: Record<string, Record<string, string>> = {},
) => resolveClusterConfig(request, { defaultImage: DEFAULT, storedConfigs: source(maps), maxWorkers: 10 });

describe('resolveClusterConfig', () => {
  it('uses the built-in defaults and the server default image when nothing is given', async () => {
    expect(await resolve(undefined)).toEqual({
      config: {
        masterCount: 1,
        workerCount: 1,
        sparkMasterConfig: '',
        sparkWorkerConfig: '',
        sparkImage: DEFAULT,
        exposeWebUI: true,
        metrics: 'false',
      },
      imageSource: 'default',
      storedConfig: undefined,
    });
  });

  it('merges defaults <- default-oshinko-cluster-config <- named config <- request', async () => {
    const maps = {
      'default-oshinko-cluster-config': { workercount: '2', metrics: 'true', exposeui: 'false' },
      small: { workercount: '3', sparkimage: 'quay.io/team/spark:stored' },
    };
    const resolved = await resolve({ name: 'small', metrics: 'prometheus' }, maps);
    expect(resolved.config).toMatchObject({
      workerCount: 3,
      metrics: 'prometheus',
      exposeWebUI: false,
      sparkImage: 'quay.io/team/spark:stored',
    });
    expect(resolved.imageSource).toBe('stored-config');
    expect(resolved.storedConfig).toBe('small');
    const requested = await resolve(
      { name: 'small', sparkImage: 'quay.io/me/spark:mine', workerCount: 0 },
      maps,
    );
    expect(requested.config.sparkImage).toBe('quay.io/me/spark:mine');
    expect(requested.config.workerCount).toBe(0);
    expect(requested.imageSource).toBe('request');
  });

  it('takes the image of default-oshinko-cluster-config as a stored-config image', async () => {
    const resolved = await resolve(
      {},
      { 'default-oshinko-cluster-config': { sparkimage: 'quay.io/team/spark:1' } },
    );
    expect(resolved).toMatchObject({
      imageSource: 'stored-config',
      config: { sparkImage: 'quay.io/team/spark:1' },
    });
  });

  it('accepts imageUrl as sparkImage and refuses two different values', async () => {
    expect((await resolve({ imageUrl: 'quay.io/me/spark:2' })).config.sparkImage).toBe('quay.io/me/spark:2');
    expect(
      (await resolve({ imageUrl: 'quay.io/me/spark:2', sparkImage: 'quay.io/me/spark:2' })).imageSource,
    ).toBe('request');
    await expect(
      resolve({ imageUrl: 'quay.io/me/spark:2', sparkImage: 'quay.io/me/spark:3' }),
    ).rejects.toMatchObject({
      constructor: InvalidInputError,
      field: 'config.sparkImage',
    });
  });

  it('names the field and the value of a bad image reference', async () => {
    const error = await resolve({ sparkImage: 'Quay.io/Me/Spark:1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('config.sparkImage');
    expect((error as Error).message).toContain('"Quay.io/Me/Spark:1"');
  });

  it('names the ConfigMap and key of a bad stored value, and an unknown key', async () => {
    await expect(resolve({ name: 'bad' }, { bad: { workercount: 'many' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'workercount'.*"many"/,
    );
    await expect(resolve({ name: 'bad' }, { bad: { workers: '2' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'workers'/,
    );
    await expect(resolve({ name: 'bad' }, { bad: { sparkimage: 'quay.io/Team/spark:1' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'sparkimage'/,
    );
  });

  it('reads the pod settings of a stored configuration, JSON where the field is structured', async () => {
    const { config } = await resolve(
      { name: 'gpu' },
      {
        gpu: {
          imagepullpolicy: 'Always',
          imagepullsecrets: 'regcred, mirror',
          workercpu: '2',
          workermemory: '4Gi',
          mastermemory: '1Gi',
          nodeselector: '{"disktype": "ssd"}',
          tolerations: '[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]',
          labels: '{"team": "data"}',
          annotations: '{"note": "x"}',
          env: '[{"name": "MODE", "value": "fast"}]',
        },
      },
    );
    expect(config).toMatchObject({
      imagePullPolicy: 'Always',
      imagePullSecrets: ['regcred', 'mirror'],
      workerResources: { cpu: '2', memory: '4Gi' },
      masterResources: { memory: '1Gi' },
      nodeSelector: { disktype: 'ssd' },
      tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
      labels: { team: 'data' },
      annotations: { note: 'x' },
      env: [{ name: 'MODE', value: 'fast' }],
    });
    await expect(
      resolve({ name: 'bad' }, { bad: { tolerations: '[{"key": "a", "effect": "Never"}]' } }),
    ).rejects.toThrow(
      /ConfigMap 'bad', key 'tolerations': invalid bad.tolerations\[0\].effect: "Never" is not one of/,
    );
    await expect(resolve({ name: 'bad' }, { bad: { nodeselector: 'disktype=ssd' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'nodeselector': invalid bad.nodeselector: not JSON/,
    );
    await expect(resolve({ name: 'bad' }, { bad: { workermemory: '4 GB' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'workermemory'/,
    );
    await expect(resolve({ name: 'bad' }, { bad: { imagepullpolicy: 'always' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'imagepullpolicy'.*"always"/,
    );
  });

  it('gives the server default pull secrets to a cluster that names none, and says where they came from', async () => {
    const withDefault = (
      request: Parameters<typeof resolveClusterConfig>[0],
      maps: Record<string, Record<string, string>> = {},
    ) =>
      resolveClusterConfig(request, {
        defaultImage: DEFAULT,
        defaultImagePullSecrets: ['site-pull'],
        storedConfigs: source(maps),
        maxWorkers: 10,
      });
    expect(await withDefault({})).toMatchObject({
      config: { imagePullSecrets: ['site-pull'] },
      pullSecretsSource: 'default',
    });
    expect(await withDefault({ imagePullSecrets: ['mine'] })).toMatchObject({
      config: { imagePullSecrets: ['mine'] },
      pullSecretsSource: 'request',
    });
    expect((await withDefault({ imagePullSecrets: [] })).config.imagePullSecrets).toEqual([]);
    expect(await withDefault({ name: 'team' }, { team: { imagepullsecrets: 'team-pull' } })).toMatchObject({
      config: { imagePullSecrets: ['team-pull'] },
      pullSecretsSource: 'stored-config',
    });
    const none = await resolve({});
    expect(none.config.imagePullSecrets).toBeUndefined();
    expect(none.pullSecretsSource).toBeUndefined();
  });

  it('takes config.runAsUser from the request, a stored configuration or the server default, and names a bad one', async () => {
    const withDefault = (
      request: Parameters<typeof resolveClusterConfig>[0],
      maps: Record<string, Record<string, string>> = {},
    ) =>
      resolveClusterConfig(request, {
        defaultImage: DEFAULT,
        defaultRunAsUser: 'image',
        storedConfigs: source(maps),
        maxWorkers: 10,
      });
    // Unset everywhere: left to the Kubernetes driver, which knows the platform.
    expect((await resolve({})).config.runAsUser).toBeUndefined();
    expect((await withDefault({})).config.runAsUser).toBe('image');
    expect((await withDefault({ name: 'team' }, { team: { runasuser: ' 1001 ' } })).config.runAsUser).toBe(
      1001,
    );
    expect((await withDefault({ runAsUser: 185 })).config.runAsUser).toBe(185);
    expect((await resolve({ runAsUser: 'image' })).config.runAsUser).toBe('image');
    expect((await resolve({ runAsUser: '2147483647' })).config.runAsUser).toBe(2147483647);
    for (const bad of [0, -1, 1.5, 2147483648, 'spark', '0x10', '']) {
      const refused = resolve({ runAsUser: bad });
      await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
      await expect(refused).rejects.toMatchObject({ field: 'config.runAsUser' });
      await expect(refused).rejects.toThrow(
        `invalid config.runAsUser ${JSON.stringify(bad)}: expected a UID from 1 to 2147483647, or "image"`,
      );
    }
    await expect(resolve({ name: 'bad' }, { bad: { runasuser: 'spark' } })).rejects.toThrow(
      /ConfigMap 'bad', key 'runasuser': invalid bad.runasuser "spark"/,
    );
  });

  it('says when a named config does not exist', async () => {
    const error = await resolve({ name: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toBe("named config 'nope' does not exist");
  });

  it('checks counts and booleans of the request', async () => {
    await expect(resolve({ workerCount: 11 })).rejects.toMatchObject({ field: 'config.workerCount' });
    await expect(resolve({ masterCount: 2 })).rejects.toMatchObject({ field: 'config.masterCount' });
    await expect(resolve({ exposeWebUI: 'yes' })).rejects.toMatchObject({ field: 'config.exposeWebUI' });
    expect((await resolve({ exposeWebUI: 'false', metrics: true })).config).toMatchObject({
      exposeWebUI: false,
      metrics: 'true',
    });
  });
});
