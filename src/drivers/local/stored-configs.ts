import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StoredConfigSource } from '../../core/cluster-config.js';
import { UnprocessableError } from '../../core/errors.js';

const EXTENSIONS = ['.json', '.yaml', '.yml'] as const;

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Stored cluster configurations of the local driver: `<home>/configs/<name>.json` (or `.yaml`/`.yml`), an
 * object with the keys of the upstream ConfigMaps (workercount, sparkimage, ...). Scalar values are taken as
 * text, as ConfigMap data is; the shared merge code validates them.
 */
export class FileStoredConfigSource implements StoredConfigSource {
  constructor(private readonly dir: string) {}

  describe(name: string): string {
    return `stored config file ${join(this.dir, `${name}.json`)} (or .yaml)`;
  }

  async read(name: string): Promise<Readonly<Record<string, string>> | undefined> {
    for (const extension of EXTENSIONS) {
      const path = join(this.dir, `${name}${extension}`);
      const text = await readIfExists(path);
      if (text === undefined) continue;
      let data: unknown;
      try {
        data = extension === '.json' ? JSON.parse(text) : parseYaml(text);
      } catch (error) {
        throw new UnprocessableError(
          `stored config ${path} is not valid ${extension.slice(1)}: ${(error as Error).message}`,
          {
            field: 'config.name',
          },
        );
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new UnprocessableError(
          `stored config ${path} must hold an object of keys (workercount, sparkimage, ...)`,
          {
            field: 'config.name',
          },
        );
      }
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(data)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          out[key] = String(value);
        } else {
          throw new UnprocessableError(
            `stored config ${path}, key '${key}': expected a string, number or boolean`,
            {
              field: 'config.name',
            },
          );
        }
      }
      return out;
    }
    return undefined;
  }
}
