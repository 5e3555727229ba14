import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { complete } from './commands/completion.js';
import type { CliIo } from './io.js';
import { buildProgram } from './main.js';

function io(): CliIo {
  // Port 9 (discard) on loopback refuses connections, so name completion finds no server and offers nothing.
  return {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: { OSHINKO_SERVER: 'http://127.0.0.1:9' },
  };
}

async function candidates(...words: string[]): Promise<string[]> {
  const cli = io();
  return complete(
    buildProgram(cli, () => undefined),
    words,
    cli,
  );
}

describe('completion', () => {
  it('completes command names, leaving out hidden and help', async () => {
    expect(await candidates('')).toEqual(
      expect.arrayContaining(['create', 'get', 'scale', 'delete', 'logs', 'version', 'completion', 'serve']),
    );
    expect(await candidates('')).not.toContain('help');
    expect(await candidates('sc')).toEqual(['scale']);
  });

  it("completes a command's flags with the global ones", async () => {
    const flags = await candidates('create', 'spark1', '--');
    expect(flags).toEqual(expect.arrayContaining(['--workers', '--image', '--wait', '--server', '--token']));
    expect(await candidates('create', '--w')).toEqual([
      '--workers',
      '--workerconfig',
      '--worker-config',
      '--worker-cpu',
      '--worker-memory',
      '--wait',
    ]);
    expect(await candidates('create', 'spark1', '--env')).toEqual(['--env', '--env-from-secret']);
  });

  it('completes flag values from their choices', async () => {
    expect(await candidates('get', '-o', '')).toEqual(['table', 'wide', 'json', 'yaml', 'name', 'jsonpath=']);
    expect(await candidates('delete', 'x', '-o', '')).toEqual(['name']);
    expect(await candidates('version', '-o', '')).toEqual(['text', 'json', 'yaml']);
    expect(await candidates('create', 'x', '--metrics', 'p')).toEqual(['prometheus']);
    expect(await candidates('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(await candidates('create', 'x', '--image-pull-policy', '')).toEqual([
      'Always',
      'IfNotPresent',
      'Never',
    ]);
  });

  it('skips the values of flags when finding the command', async () => {
    expect(await candidates('--server', 'http://127.0.0.1:9', 'de')).toEqual(['delete']);
    expect(await candidates('create', '--image', 'x', '--exposeui', '')).toEqual(['true', 'false']);
    expect(await candidates('create', '--image', 'x', '--expose-ui', '')).toEqual(['true', 'false']);
  });

  it('offers nothing for cluster names when no server answers', async () => {
    expect(await candidates('get', '')).toEqual([]);
  });

  it('descends into nested commands', async () => {
    const cli = io();
    const program = new Command('oshinko');
    const image = program.command('image');
    image.command('build').argument('<ref>').option('--jar <file>');
    image.command('ls');
    expect(await complete(program, ['image', ''], cli)).toEqual(['build', 'ls']);
    expect(await complete(program, ['image', 'build', 'x', '--j'], cli)).toEqual(['--jar']);
  });
});
