import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/manual-clock.js';
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
    // Time stands still: the directory's watch alone must bring the new line.
    const stream = followFile({ path: log, tailLines: 2, alive: () => true, clock: new ManualClock() });
    expect(await readUntil(stream, /three\n/)).toBe('two\nthree\n');
    appendFileSync(log, 'four\n');
    expect(await readUntil(stream, /four\n/)).toBe('four\n');
    stream.destroy();
  });

  it('waits for a log not written yet', async () => {
    const stream = followFile({ path: log, tailLines: 10, alive: () => true, clock: new ManualClock() });
    writeFileSync(log, 'Starting Spark master\n');
    expect(await readUntil(stream, /master\n/)).toBe('Starting Spark master\n');
    stream.destroy();
  });

  it('ends once the writer is gone, after its last lines', async () => {
    writeFileSync(log, 'running\n');
    let alive = true;
    const clock = new ManualClock();
    const stream = followFile({ path: log, tailLines: 10, alive: () => alive, pollMs: 20, clock });
    expect(await nextChunk(stream)).toBe('running\n');
    alive = false;
    appendFileSync(log, 'stopping\n');
    // The directory's watch may bring the last line; the next poll notices the writer gone.
    const rest = (async () => {
      let text = '';
      for (let chunk = await nextChunk(stream); chunk !== null; chunk = await nextChunk(stream))
        text += chunk;
      return text;
    })();
    await clock.advance(20);
    expect(await rest).toBe('stopping\n');
  });

  it('notices at its next poll a writer gone without a word', async () => {
    writeFileSync(log, 'running\n');
    let alive = true;
    const clock = new ManualClock();
    const stream = followFile({ path: log, tailLines: 10, alive: () => alive, pollMs: 1000, clock });
    expect(await nextChunk(stream)).toBe('running\n');
    let ended = false;
    stream.once('end', () => {
      ended = true;
    });
    stream.resume();
    alive = false;
    await clock.advance(999);
    expect(ended).toBe(false);
    await clock.advance(1);
    await vi.waitFor(() => {
      expect(ended).toBe(true);
    });
    expect(clock.pending()).toEqual([]);
  });

  it('lets go of its watch and its timer when destroyed (the client went away)', async () => {
    writeFileSync(log, 'line\n');
    // A handle closes on the event loop's next turn: the earlier tests' watches may still be going.
    await vi.waitFor(() => {
      expect(watches()).toBe(0);
    });
    const clock = new ManualClock();
    const stream = followFile({ path: log, tailLines: 10, alive: () => true, pollMs: 1000, clock });
    expect(await nextChunk(stream)).toBe('line\n');
    expect(watches()).toBe(1);
    expect(clock.pending()).toEqual([1000]);
    stream.destroy();
    expect(clock.pending()).toEqual([]);
    await vi.waitFor(() => {
      expect(watches()).toBe(0);
    });
  });
});
