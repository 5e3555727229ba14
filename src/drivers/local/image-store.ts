import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { assertImageReference } from '../../core/cluster-config.js';
import type { LocalImage } from '../../core/driver.js';
import {
  ConfigurationError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnprocessableError,
} from '../../core/errors.js';
import { recordedClusterImages } from './cluster-state.js';
import { readJsonIfExists, writeJsonAtomic } from './files.js';
import {
  builtImageRecord,
  imageLayerFiles,
  PYTHON_ARCHIVE,
  validateConf,
  validateEnv,
  WRAPPED_SCRIPTS,
} from './image-files.js';
import type { HomeLayout } from './layout.js';
import type { ClusterImage, ImageRecord } from './records.js';
import { isSparkHome, sparkVersionOf } from './spark-home.js';

export interface BuildOptions {
  readonly from: string;
  readonly jars?: readonly string[] | undefined;
  readonly pyFiles?: readonly string[] | undefined;
  readonly conf?: Readonly<Record<string, string>> | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
}

function assertRef(ref: string, field: string): void {
  try {
    assertImageReference(ref, field);
  } catch (error) {
    throw new InvalidInputError((error as Error).message, { field });
  }
}

/**
 * The local image store: named Spark homes under `<home>/images`. Which clusters use an image is not its own
 * knowledge: `clusterImages` tells it (the driver's table in a server; by default, as the CLI has no server, the
 * clusters' recorded states).
 */
export class LocalImageStore {
  constructor(
    private readonly layout: HomeLayout,
    private readonly clusterImages: () => Promise<readonly ClusterImage[]> = () =>
      recordedClusterImages(layout),
  ) {}

  private recordFile(ref: string): string {
    return join(this.layout.imageDir(ref), 'image.json');
  }

  async list(): Promise<ImageRecord[]> {
    const entries = await readdir(this.layout.images, { withFileTypes: true }).catch(() => []);
    const records: ImageRecord[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const record = (await readJsonIfExists(join(this.layout.images, entry.name, 'image.json'))) as
        ImageRecord | undefined;
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  async get(ref: string): Promise<ImageRecord | undefined> {
    return (await readJsonIfExists(this.recordFile(ref))) as ImageRecord | undefined;
  }

  /** Like `get`, but a missing image is an error naming the reference, like a failed pull. */
  async require(ref: string, field?: string): Promise<ImageRecord> {
    const record = await this.get(ref);
    if (!record) {
      throw new UnprocessableError(
        `image ${JSON.stringify(ref)} is not in the local image store (${this.layout.images}); build it with \`oshinko image build ${ref} --from <base>\`, register a Spark home with \`oshinko image import ${ref} <dir>\`, or list images with \`oshinko image ls\``,
        field === undefined ? undefined : { field },
      );
    }
    return record;
  }

  async defaultRef(): Promise<string | undefined> {
    const value = (await readJsonIfExists(this.layout.defaultImageFile)) as { ref?: string } | undefined;
    return value?.ref;
  }

  /**
   * Registers the Spark runtime as the default image `spark:<version>` (re-pointed on every start, so a new
   * SPARK_HOME or runtime takes effect).
   */
  async registerDefault(sparkHome: string): Promise<ImageRecord> {
    const home = resolve(sparkHome);
    if (!isSparkHome(home)) {
      // The runtime `npm run setup` installs lives in <oshinko>/.oshinko/runtime: name that directory, which for an
      // installed package is not where the user stands.
      const runtime = /^(.*)[/\\]\.oshinko[/\\]runtime[/\\]pyspark$/.exec(home)?.[1];
      const setup =
        runtime === undefined
          ? 'run `npm run setup` in the oshinko directory to install it'
          : `run \`npm run setup\` in ${runtime} to install it`;
      throw new ConfigurationError(
        `no Spark runtime at ${home} (it has no bin/spark-class): ${setup}, or set SPARK_HOME to a Spark distribution`,
      );
    }
    const version = sparkVersionOf(home);
    const ref = `spark:${version ?? 'local'}`;
    const existing = await this.get(ref);
    if (existing && existing.kind !== 'runtime') {
      throw new ConfigurationError(
        `the default image name ${ref} is taken by a ${existing.kind} image; remove it with \`oshinko image rm ${ref}\``,
      );
    }
    const record: ImageRecord = {
      ref,
      kind: 'runtime',
      base: undefined,
      sparkHome: home,
      distribution: home,
      sparkVersion: version,
      createdAt: existing?.sparkHome === home ? existing.createdAt : new Date().toISOString(),
      jars: [],
      pyFiles: [],
      conf: {},
      env: {},
    };
    await mkdir(this.layout.imageDir(ref), { recursive: true });
    if (existing?.sparkHome !== home) await writeJsonAtomic(this.recordFile(ref), record);
    if ((await this.defaultRef()) !== ref) await writeJsonAtomic(this.layout.defaultImageFile, { ref });
    return record;
  }

  /** Registers an existing Spark home (not copied) under a reference. */
  async importImage(ref: string, dir: string): Promise<ImageRecord> {
    assertRef(ref, 'ref');
    const home = resolve(dir);
    if (!isSparkHome(home)) {
      throw new InvalidInputError(
        `${JSON.stringify(dir)} is not a Spark home: it has no bin/spark-class (give the directory of a Spark distribution)`,
        { field: 'dir' },
      );
    }
    if (await this.get(ref))
      throw new ConflictError(`image ${ref} already exists; remove it first`, { field: 'ref' });
    const record: ImageRecord = {
      ref,
      kind: 'imported',
      base: undefined,
      sparkHome: home,
      distribution: home,
      sparkVersion: sparkVersionOf(home),
      createdAt: new Date().toISOString(),
      jars: [],
      pyFiles: [],
      conf: {},
      env: {},
    };
    await mkdir(this.layout.images, { recursive: true });
    const staging = await this.staging();
    try {
      await writeJsonAtomic(join(staging, 'image.json'), record);
      await rename(staging, this.layout.imageDir(ref));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return record;
  }

  private async staging(): Promise<string> {
    const dir = join(this.layout.images, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Builds an image layered on `from`: a small directory with wrappers for the base's scripts, its own conf dir
   * (spark-defaults.conf, spark-env.sh) and copies of the given jars and Python files. The base distribution is
   * not copied. Built in a staging directory and renamed into place: never half-created.
   */
  async build(ref: string, options: BuildOptions): Promise<ImageRecord> {
    assertRef(ref, 'ref');
    assertRef(options.from, 'from');
    const conf = options.conf ?? {};
    const env = options.env ?? {};
    validateConf(conf);
    validateEnv(env);
    const base = await this.get(options.from);
    if (!base) {
      throw new NotFoundError(
        `base image ${JSON.stringify(options.from)} is not in the local image store; see \`oshinko image ls\``,
        { field: 'from' },
      );
    }
    if (await this.get(ref))
      throw new ConflictError(`image ${ref} already exists; remove it first`, { field: 'ref' });
    const jars = await this.checkInputs(options.jars ?? [], '--jar', (path, isFile) =>
      isFile && path.endsWith('.jar') ? undefined : 'expected a .jar file',
    );
    const pyFiles = await this.checkInputs(options.pyFiles ?? [], '--py-file', (path, isFile) =>
      !isFile || path.endsWith('.py') || PYTHON_ARCHIVE.test(path)
        ? undefined
        : 'expected a .py, .zip, .egg or .whl file or a package directory',
    );
    const target = this.layout.imageDir(ref);
    await mkdir(this.layout.images, { recursive: true });
    const staging = await this.staging();
    try {
      for (const sub of ['bin', 'conf', 'jars', 'python']) await mkdir(join(staging, sub));
      for (const jar of jars) await cp(jar, join(staging, 'jars', basename(jar)));
      for (const file of pyFiles)
        await cp(file, join(staging, 'python', basename(file)), { recursive: true });
      const record = builtImageRecord(
        { ref, jars, pyFiles, conf, env },
        base,
        target,
        new Date().toISOString(),
      );
      await this.writeLayer(staging, base, record);
      await writeJsonAtomic(join(staging, 'image.json'), record);
      await rename(staging, target);
      return record;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  private async checkInputs(
    paths: readonly string[],
    flag: string,
    problem: (path: string, isFile: boolean) => string | undefined,
  ): Promise<string[]> {
    const out: string[] = [];
    const names = new Set<string>();
    for (const path of paths) {
      const info = await stat(path).catch(() => undefined);
      if (!info)
        throw new InvalidInputError(`${flag} ${JSON.stringify(path)}: no such file`, { field: flag });
      const reason = problem(path, info.isFile());
      if (reason !== undefined)
        throw new InvalidInputError(`${flag} ${JSON.stringify(path)}: ${reason}`, { field: flag });
      const name = basename(path);
      if (names.has(name)) {
        throw new InvalidInputError(
          `${flag} ${JSON.stringify(path)}: another ${flag} has the same name ${name}`,
          {
            field: flag,
          },
        );
      }
      names.add(name);
      out.push(resolve(path));
    }
    return out;
  }

  /** Writes bin/ wrappers and conf/ of a built image into `dir` (which will be renamed to its Spark home). */
  private async writeLayer(dir: string, base: ImageRecord, record: ImageRecord): Promise<void> {
    // The base's own conf dir: a distribution's conf/ or a built base's generated one.
    const baseConf = { dir: join(base.sparkHome, 'conf'), defaults: '', sourceEnv: false };
    if (existsSync(baseConf.dir)) {
      for (const entry of await readdir(baseConf.dir, { withFileTypes: true })) {
        if (entry.name === 'spark-defaults.conf') {
          if (base.kind !== 'built')
            baseConf.defaults = await readFile(join(baseConf.dir, entry.name), 'utf8');
        } else if (entry.name === 'spark-env.sh') {
          baseConf.sourceEnv = base.kind !== 'built';
        } else if (!entry.name.endsWith('.template')) {
          await cp(join(baseConf.dir, entry.name), join(dir, 'conf', entry.name), { recursive: true });
        }
      }
    }
    const scripts = WRAPPED_SCRIPTS.filter((script) => existsSync(join(record.distribution, 'bin', script)));
    for (const file of imageLayerFiles(record, base, baseConf, scripts)) {
      await writeFile(join(dir, file.path), file.content);
      if (file.mode !== undefined) await chmod(join(dir, file.path), file.mode);
    }
  }

  /** Images built on `ref`. */
  async dependents(ref: string): Promise<string[]> {
    return (await this.list()).filter((image) => image.base === ref).map((image) => image.ref);
  }

  /** Names of the clusters that use `ref`. */
  async usedBy(ref: string): Promise<string[]> {
    return (await this.clusterImages()).filter((use) => use.image === ref).map((use) => use.cluster);
  }

  /** Removes an image: refused while a cluster uses it or another image is built on it. */
  async remove(ref: string): Promise<void> {
    assertRef(ref, 'ref');
    const record = await this.get(ref);
    if (!record) throw new NotFoundError(`image ${ref} is not in the local image store`, { field: 'ref' });
    if (record.kind === 'runtime' && (await this.defaultRef()) === ref) {
      throw new ConflictError(`image ${ref} is the default image (the Spark runtime) and cannot be removed`, {
        field: 'ref',
      });
    }
    const users = await this.usedBy(ref);
    if (users.length > 0) {
      throw new ConflictError(
        `image ${ref} is used by cluster${users.length > 1 ? 's' : ''} ${users.join(', ')}; delete ${users.length > 1 ? 'them' : 'it'} first`,
        { field: 'ref' },
      );
    }
    const dependents = await this.dependents(ref);
    if (dependents.length > 0) {
      throw new ConflictError(`images ${dependents.join(', ')} are built on ${ref}; remove them first`, {
        field: 'ref',
      });
    }
    // Only the store's own directory is removed; an imported Spark home stays where it is.
    const dir = this.layout.imageDir(ref);
    const trash = join(dirname(dir), `.removing-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
  }

  async toLocalImages(): Promise<LocalImage[]> {
    const [records, defaultRef, users] = await Promise.all([
      this.list(),
      this.defaultRef(),
      this.clusterImages(),
    ]);
    return records.map((record) => ({
      ref: record.ref,
      base: record.base,
      sparkHome: record.sparkHome,
      sparkVersion: record.sparkVersion,
      createdAt: record.createdAt,
      isDefault: record.ref === defaultRef,
      jars: record.jars,
      pyFiles: record.pyFiles,
      conf: record.conf,
      env: record.env,
      usedBy: users.filter((use) => use.image === record.ref).map((use) => use.cluster),
    }));
  }
}
