import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveClusterConfig } from '../../core/cluster-config.js';
import { FileStoredConfigSource } from './stored-configs.js';

describe('FileStoredConfigSource', () => {
  it('reads json and yaml files as ConfigMap-like text data that the shared merge validates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oshinko-configs-'));
    await writeFile(join(dir, 'small.json'), JSON.stringify({ workercount: 2, sparkimage: 'team/etl:1' }));
    await writeFile(join(dir, 'default-oshinko-cluster-config.yaml'), 'exposeui: false\n');
    await writeFile(join(dir, 'broken.yml'), 'workercount: [1\n');
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ workercount: 'many' }));
    const source = new FileStoredConfigSource(dir);
    expect(await source.read('small')).toEqual({ workercount: '2', sparkimage: 'team/etl:1' });
    expect(await source.read('absent')).toBeUndefined();
    await expect(source.read('broken')).rejects.toThrow(/broken\.yml is not valid yml/);

    const options = { defaultImage: 'spark:4.3.0', storedConfigs: source, maxWorkers: 10 };
    const resolved = await resolveClusterConfig({ name: 'small' }, options);
    expect(resolved.config).toMatchObject({ workerCount: 2, sparkImage: 'team/etl:1', exposeWebUI: false });
    expect(resolved.imageSource).toBe('stored-config');
    await expect(resolveClusterConfig({ name: 'bad' }, options)).rejects.toThrow(/bad\.json.*workercount/);
  });
});
