import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { lastLines, openIfExists } from './files.js';

/** How much of a log is read at once, and at most for its last lines. */
const CHUNK = 64 * 1024;
const MAX_TAIL_BYTES = 4 * 1024 * 1024;

export interface FollowOptions {
  readonly path: string;
  readonly tailLines: number;
  /** Whether the process that writes the log still exists; the stream ends once it does not. */
  readonly alive: () => boolean;
  /** How often the log and `alive` are checked besides the file system's own events. */
  readonly pollMs?: number | undefined;
  /** The polls go by it. */
  readonly clock: Clock;
}

/**
 * Follows a log file as `tail -f` does: its last lines, then whatever is appended, read when the directory's watch
 * says the file changed (or, should an event be missed, at the next poll). The stream ends when the writer is gone
 * and everything it wrote was sent; destroying it closes the watch and the timer.
 */
export function followFile(options: FollowOptions): Readable {
  const { path, alive } = options;
  const pollMs = options.pollMs ?? 1000;
  let position: number | undefined;
  let watcher: FSWatcher | undefined;
  let cancelPoll: (() => void) | undefined;
  let reading = false;
  /** Counts the calls of `check`: one that comes during a read makes the read go round again. */
  let asked = 0;
  let ended = false;

  const stop = () => {
    watcher?.close();
    watcher = undefined;
    cancelPoll?.();
    cancelPoll = undefined;
  };

  /** The bytes from `position` to the end of the file; the first read sends the last lines only. */
  const readMore = async (): Promise<string> => {
    const handle = await openIfExists(path);
    if (handle === undefined) return '';
    try {
      const { size } = await handle.stat();
      if (position === undefined) {
        const start = Math.max(0, size - MAX_TAIL_BYTES);
        const buffer = Buffer.alloc(size - start);
        await handle.read(buffer, 0, buffer.length, start);
        position = size;
        return lastLines(buffer.toString('utf8'), options.tailLines);
      }
      // A log cut shorter (rewritten) is read again from its start.
      if (size < position) position = 0;
      const parts: Buffer[] = [];
      while (position < size) {
        const buffer = Buffer.alloc(Math.min(CHUNK, size - position));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        parts.push(buffer.subarray(0, bytesRead));
      }
      return Buffer.concat(parts).toString('utf8');
    } finally {
      await handle.close();
    }
  };

  const stream = new Readable({
    read() {
      // Reads are driven by the file's changes, not by the consumer.
    },
    destroy(error, callback) {
      ended = true;
      stop();
      callback(error);
    },
  });

  const check = async (): Promise<void> => {
    asked += 1;
    if (ended || reading) return;
    reading = true;
    try {
      for (;;) {
        const round = asked;
        // Whether the writer is gone is asked before the read, so that its last words are sent before the end.
        const gone = !alive();
        const text = await readMore();
        if (stream.destroyed) return;
        if (text !== '') stream.push(text);
        if (gone) {
          ended = true;
          stop();
          stream.push(null);
          return;
        }
        if (asked === round) return;
      }
    } catch (error) {
      stream.destroy(error as Error);
    } finally {
      reading = false;
    }
  };

  const name = basename(path);
  try {
    watcher = watch(dirname(path), (_event, file) => {
      if (file === null || file === name) void check();
    });
    // The directory removed (the cluster deleted): the poll sees the writer gone.
    watcher.on('error', () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    // No directory to watch (yet): the poll reads it.
  }
  const poll = () => {
    cancelPoll = options.clock.after(pollMs, () => {
      if (ended) return;
      void check();
      poll();
    });
  };
  // The watch holds the process, as the connection it serves does: one left behind would show, not hide.
  poll();
  void check();
  return stream;
}
