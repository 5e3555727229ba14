import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { assertBuilt, REPO } from '../cli/cli-process.js';

describe('docs/api-reference.md', () => {
  it('is what the server describes in its OpenAPI document (npm run docs:api regenerates it)', async () => {
    assertBuilt();
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/gen-api-docs.mjs', '--check'], {
      cwd: REPO,
    });
    expect(stdout).toContain('docs/api-reference.md is up to date');
  });
});
