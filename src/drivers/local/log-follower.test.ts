import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followFile } from './log-follower.js';

let dir: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oshinko-follow-'));
  mkdirSync(join(dir, 'logs'));
  log = join(dir, 'logs', 'spark1-m-1.log');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The next chunk the stream gives, or null at its end. */
function nextChunk(stream: Readable): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', reject);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      stream.pause();
      resolve(chunk.toString('utf8'));
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', reject);
    stream.resume();
  });
}

/** Chunks until their text matches. */
async function readUntil(stream: Readable, pattern: RegExp): Promise<string> {
  let text = '';
  while (!pattern.test(text)) {
    const chunk = await nextChunk(stream);
    if (chunk === null) throw new Error(`ended before ${String(pattern)}: ${text}`);
    text += chunk;
  }
  return text;
}

/** How many file system watches the process holds. */
function watches(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'FSEventWrap').length;
}

describe('followFile', () => {
  it('sends the last lines, then each appended line as it is written', async () => {
    writeFileSync(log, 'one\ntwo\nthree\n');
    // A poll far away: the directory's watch alone must bring the new line.
    const stream = followFile({ path: log, tailLines: 2, alive: () => true, pollMs: 3_600_000 });
    expect(await readUntil(stream, /three\n/)).toBe('two\nthree\n');
    appendFileSync(log, 'four\n');
    expect(await readUntil(stream, /four\n/)).toBe('four\n');
    stream.destroy();
  });

  it('waits for a log not written yet', async () => {
    const stream = followFile({ path: log, tailLines: 10, alive: () => true, pollMs: 3_600_000 });
    writeFileSync(log, 'Starting Spark master\n');
    expect(await readUntil(stream, /master\n/)).toBe('Starting Spark master\n');
    stream.destroy();
  });

  it('ends once the writer is gone, after its last lines', async () => {
    writeFileSync(log, 'running\n');
    let alive = true;
    const stream = followFile({ path: log, tailLines: 10, alive: () => alive, pollMs: 20 });
    expect(await nextChunk(stream)).toBe('running\n');
    alive = false;
    appendFileSync(log, 'stopping\n');
    let rest = '';
    for (let chunk = await nextChunk(stream); chunk !== null; chunk = await nextChunk(stream)) rest += chunk;
    expect(rest).toBe('stopping\n');
  });

  it('lets go of its watch and its timer when destroyed (the client went away)', async () => {
    writeFileSync(log, 'line\n');
    // A handle closes on the event loop's next turn: the earlier tests' watches may still be going.
    await vi.waitFor(() => {
      expect(watches()).toBe(0);
    });
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const clearInterval = vi.spyOn(globalThis, 'clearInterval');
    const stream = followFile({ path: log, tailLines: 10, alive: () => true, pollMs: 3_600_000 });
    expect(await nextChunk(stream)).toBe('line\n');
    expect(watches()).toBe(1);
    expect(setInterval).toHaveBeenCalledTimes(1);
    stream.destroy();
    expect(clearInterval).toHaveBeenCalledWith(setInterval.mock.results[0]?.value);
    await vi.waitFor(() => {
      expect(watches()).toBe(0);
    });
    vi.restoreAllMocks();
  });
});
