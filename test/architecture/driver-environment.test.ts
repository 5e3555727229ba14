import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, withoutComments } from './import-graph.js';

// The serve configuration parses the environment once (src/server/serve-config.ts) and hands each driver what it
// needs; a driver that read process.env itself would bypass it, and tests could not give it another environment.
describe('the drivers', () => {
  it('never read process.env', () => {
    const readers = sourceFiles('src/drivers')
      .filter((file) => /\bprocess\.env\b/.test(withoutComments(readFileSync(file, 'utf8'))))
      .map((file) => relative(process.cwd(), file));
    expect(readers).toEqual([]);
  });
});
