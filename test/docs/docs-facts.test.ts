import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorItem } from '../../src/api/schemas.js';
import { REPO } from '../cli/cli-process.js';

/** What the documentation states, held to the product: the operations, the error envelope, the commands it gives. */

const DOCS = join(REPO, 'docs');
const PAGES = [
  'README.md',
  'SECURITY.md',
  ...readdirSync(DOCS)
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file)),
];

function read(page: string): string {
  return readFileSync(join(REPO, page), 'utf8');
}

describe('the documentation', () => {
  it("api.md's table lists every operation of the OpenAPI document (api-reference.md)", () => {
    const operations = [
      ...read('docs/api-reference.md').matchAll(/^## (GET|POST|PUT|DELETE|PATCH) (\S+)$/gm),
    ].map(([, method, path]) => `${method ?? ''} ${(path ?? '').replace(/\{(\w+)\}/g, '<$1>')}`);
    expect(operations.length).toBeGreaterThan(5);
    const table = read('docs/api.md');
    for (const operation of operations) {
      expect({ operation, listed: table.includes(`| \`${operation}`) }).toEqual({ operation, listed: true });
    }
  });

  it('writes the error envelope with every field the server sends', () => {
    const fields = Object.keys(ErrorItem.properties).sort();
    const envelopes = PAGES.flatMap((page) =>
      [...read(page).matchAll(/\{"errors": ?\[\{([^\]]*)\}\]\}/g)].map((match) => ({
        page,
        text: match[1] ?? '',
      })),
    );
    expect(envelopes.length).toBeGreaterThanOrEqual(2);
    for (const { page, text } of envelopes) {
      const named = [...text.matchAll(/"(\w+)"/g)].map((match) => match[1]).sort();
      expect({ page, named }).toEqual({ page, named: fields });
    }
  });

  it('gives every kubectl port-forward its namespace', () => {
    for (const page of PAGES) {
      for (const line of read(page)
        .split('\n')
        .filter((l) => /kubectl .*port-forward svc\//.test(l))) {
        expect({ page, line, namespace: / -n \S+/.test(line) }).toEqual({ page, line, namespace: true });
      }
    }
  });

  it('never offers the local driver Spark configuration directories, which it refuses', () => {
    for (const page of PAGES) {
      const said = /[^\n]*local: (config )?director[^\n]*/.exec(read(page))?.[0];
      expect({ page, said }).toEqual({ page, said: undefined });
    }
  });

  it('links only to files that exist', () => {
    for (const page of PAGES) {
      for (const [, target] of read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (target === undefined || /^[a-z]+:|[[*]/.test(target)) continue;
        const path = resolve(dirname(join(REPO, page)), target);
        expect({ page, target, exists: existsSync(path) }).toEqual({ page, target, exists: true });
      }
    }
  });
});
