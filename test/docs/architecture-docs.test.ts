import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../cli/cli-process.js';

/**
 * docs/architecture.md names every module of `src/` by its path relative to `src/` (`core/cluster-settings.ts`, or
 * `src/core/cluster-settings.ts`), and every path it names exists: a new module missing from the page, or a page
 * naming a module that is gone, fails here by name.
 */

const PAGE = 'docs/architecture.md';
const SRC = join(REPO, 'src');
/** Paths the page gives from the repository's root; any other path with a folder is relative to `src/`. */
const ROOTS = ['src/', 'console/', 'test/', 'bin/', 'deploy/', 'scripts/', 'docs/'];
/** A file name of TypeScript or JavaScript, with or without folders, not inside a longer word or path. */
const PATH = /(?<![\w./*<>-])(?:[\w.-]+\/)*[\w.-]+\.(?:tsx?|js)(?![\w/-])/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

/** Every module of `src/` (tests excluded), relative to `src/`. */
function modules(): string[] {
  return files(SRC)
    .filter((path) => /\.tsx?$/.test(path) && !/\.test\.tsx?$/.test(path))
    .map((path) => relative(SRC, path).split('\\').join('/'))
    .sort();
}

/** Every path the page names, as written. */
function named(text: string): string[] {
  return [...new Set(text.match(PATH) ?? [])].sort();
}

/** Where a named path is: the repository's root for ROOTS, else `src/`; a bare file name anywhere in the sources. */
function exists(path: string): boolean {
  if (!path.includes('/')) {
    const names = new Set(
      [...files(SRC), ...files(join(REPO, 'console', 'src'))].map((file) => basename(file)),
    );
    return names.has(path);
  }
  return existsSync(ROOTS.some((root) => path.startsWith(root)) ? join(REPO, path) : join(SRC, path));
}

/** The modules of `src/` a set of named paths names, relative to `src/`. */
function srcModules(paths: string[]): Set<string> {
  return new Set(
    paths.flatMap((path) => {
      if (path.startsWith('src/')) return [path.slice('src/'.length)];
      if (!path.includes('/') || ROOTS.some((root) => path.startsWith(root))) return [];
      return [path];
    }),
  );
}

describe(PAGE, () => {
  const text = readFileSync(join(REPO, PAGE), 'utf8');

  it('names every module of src/ by its path', () => {
    const onPage = srcModules(named(text));
    const all = modules();
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((module) => !onPage.has(module))).toEqual([]);
  });

  it('names no path that does not exist', () => {
    const paths = named(text);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => !exists(path))).toEqual([]);
  });

  it('finds the paths a line of markdown names, and only those', () => {
    expect(
      named('`src/core/errors.ts`, `core/driver.ts` (`index.ts`); `use-*.ts` and `<home>/x.json`'),
    ).toEqual(['core/driver.ts', 'index.ts', 'src/core/errors.ts']);
    expect([...srcModules(['src/core/errors.ts', 'core/driver.ts', 'index.ts', 'test/a.test.ts'])]).toEqual([
      'core/errors.ts',
      'core/driver.ts',
    ]);
    expect([exists('core/errors.ts'), exists('core/no-such-module.ts'), exists('bin/oshinko.js')]).toEqual([
      true,
      false,
      true,
    ]);
  });
});
