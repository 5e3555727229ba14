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
