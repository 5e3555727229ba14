import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';

/**
 * Writes a file so that readers see the old or the new content, never a torn one: write a temporary file
 * beside it, flush it, rename it over the target.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The parsed JSON of a file, or undefined when it does not exist. */
export async function readJsonIfExists(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/** The file opened for reading, or undefined when it does not exist. */
export async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The last `lines` lines of `text` (a log's end, possibly starting mid-line), each ending in a newline. */
export function lastLines(text: string, lines: number): string {
  if (lines <= 0 || text === '') return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `${body.split('\n').slice(-lines).join('\n')}\n`;
}

/** The last `lines` lines of a text file, reading at most `maxBytes` from its end. */
export async function tailFile(path: string, lines: number, maxBytes = 4 * 1024 * 1024): Promise<string> {
  const handle = await openIfExists(path);
  if (handle === undefined) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return lastLines(buffer.toString('utf8'), lines);
  } finally {
    await handle.close();
  }
}

const FS_PROBLEMS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'a directory is in the way of a file',
  ENOTEMPTY: 'a directory is in the way of a file',
  EEXIST: 'something is in the way',
  EIO: 'an I/O error happened',
};

/** Whether an error is the file system's (it has a POSIX code such as ENOSPC). */
export function isFsError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error
  );
}

/** Says in words what went wrong with the data directory, naming the path; no stack, no internals. */
export function describeFsError(action: string, error: NodeJS.ErrnoException, file?: string): string {
  const code = error.code ?? 'EUNKNOWN';
  const what = FS_PROBLEMS[code] ?? error.message;
  // Writes through a file handle (ENOSPC) carry no path: name the file being written.
  const where = error.path ?? file;
  const path = where === undefined ? '' : ` at ${where}`;
  return `${action}: ${what} (${code}${path})`;
}

/** A file's text, '' when it cannot be read. */
export async function fileText(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}
