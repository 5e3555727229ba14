import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { ClusterModel, ClusterSummary } from '../../src/client/oshinko-client.js';
import { FakeKubeServer } from '../fake-kube/fake-kube-server.js';
import { writeKubeconfig, type KubeconfigFile } from '../fake-kube/kubeconfig.js';
import { assertBuilt, CLI, runCli, startCli, startServer, type ServerProcess } from './cli-process.js';

/**
 * The built CLI, run as a process, against a real oshinko server process with the Kubernetes driver, backed by
 * the fake Kubernetes API server over HTTP.
 */

const DEFAULT_IMAGE = 'docker.io/apache/spark:3.5.3';
const CUSTOM_IMAGE = 'quay.io/my-team/spark:3.5.3-etl';
const MISSING_IMAGE = 'quay.io/my-team/spark:does-not-exist';
const TOKEN = 'cli-test-token';

type Json = Record<string, unknown>;
interface PodSpec {
  nodeSelector?: Record<string, string>;
  tolerations?: Json[];
  imagePullSecrets?: Json[];
  containers: { imagePullPolicy?: string; resources?: Json; env?: Json[] }[];
}

let fake: FakeKubeServer;
let kubeconfig: KubeconfigFile;
let server: ServerProcess;
let env: Record<string, string>;

function oshinko(...args: string[]) {
  return runCli(args, env);
}

beforeAll(async () => {
  assertBuilt();
  fake = await FakeKubeServer.start({ podStartMs: 50 });
  fake.missingImages.add(MISSING_IMAGE);
  fake.seed('secrets', 'default', { metadata: { name: 'creds' }, type: 'Opaque', data: {} });
  fake.seed('secrets', 'default', {
    metadata: { name: 'regcred' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from('{"auths": {}}').toString('base64') },
  });
  kubeconfig = writeKubeconfig(fake, 'default');
  server = await startServer(['--driver', 'kubernetes', '--kubeconfig', kubeconfig.path], {
    OSHINKO_TOKEN: TOKEN,
    OSHINKO_CLUSTER_IMAGE: DEFAULT_IMAGE,
  });
  env = { OSHINKO_SERVER: server.url, OSHINKO_TOKEN: TOKEN };
});

afterAll(async () => {
  await server.stop();
  await fake.close();
  kubeconfig.remove();
});

describe('oshinko CLI against a Kubernetes-backed server', () => {
  it('version shows client, server, driver and default image', async () => {
    const result = await oshinko('version');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^client:\s+\d+\.\d+\.\d+$/m);
    expect(result.stdout).toContain(`(${server.url})`);
    expect(result.stdout).toMatch(/^driver:\s+kubernetes$/m);
    expect(result.stdout).toMatch(
      new RegExp(`^default image:\\s+${DEFAULT_IMAGE.replace(/\./g, '\\.')}$`, 'm'),
    );
  });

  it('create --wait shows plain progress lines and ends with the master URL and spark-submit', async () => {
    const result = await oshinko('create', 'spark1', '--workers', '2', '--wait', '--interval', '100ms');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`cluster "spark1" created with image ${DEFAULT_IMAGE}`);
    expect(lines).toContain('cluster "spark1": Running, master 1/1, workers 2/2 ready');
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout).toContain('Spark master: spark://spark1:7077');
    expect(result.stdout).toContain('spark-submit --master spark://spark1:7077');
  });

  it('create --wait on a terminal rewrites one progress line', async () => {
    // `script` gives the CLI a pseudo-terminal, as an interactive shell would.
    const command = [
      process.execPath,
      CLI,
      'create',
      'etl',
      '--image',
      CUSTOM_IMAGE,
      '--workers',
      '1',
      '--wait',
      '--interval',
      '100ms',
    ]
      .map((word) => `'${word}'`)
      .join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, ...env },
    });
    expect(stdout).toContain(`cluster "etl" created with image ${CUSTOM_IMAGE} (custom)`);
    expect(stdout).toContain(`\r${String.fromCharCode(27)}[2Kcluster "etl": `);
    expect(stdout).toContain('workers 1/1 ready');
    expect(stdout).toContain('spark-submit --master spark://etl:7077');
    expect(stdout).toContain(`custom image ${CUSTOM_IMAGE}`);
  });

  it('get lists clusters with ready/desired workers and marks the custom image', async () => {
    const result = await oshinko('get');
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+WORKERS\s+IMAGE\s+MASTER URL\s+AGE$/);
    expect(rows.find((row) => row.startsWith('etl '))).toMatch(
      new RegExp(
        `^etl\\s+Running\\s+1/1\\s+${CUSTOM_IMAGE.replace(/\./g, '\\.')} \\(custom\\)\\s+spark://etl:7077\\s+\\d+s$`,
      ),
    );
    const spark1 = rows.find((row) => row.startsWith('spark1 '));
    expect(spark1).toMatch(
      /^spark1\s+Running\s+2\/2\s+docker\.io\/apache\/spark:3\.5\.3\s+spark:\/\/spark1:7077/,
    );
    expect(spark1).not.toContain('(custom)');
  });

  it('get NAME -o json|yaml gives the API objects; every pod runs the custom image', async () => {
    const json = await oshinko('get', 'etl', '-o', 'json');
    expect(json.code).toBe(0);
    const cluster = JSON.parse(json.stdout) as ClusterModel;
    expect(cluster).toMatchObject({
      name: 'etl',
      customImage: true,
      image: CUSTOM_IMAGE,
      imageSource: 'request',
    });
    expect(cluster.pods).toHaveLength(2);
    for (const pod of cluster.pods) expect(pod.image).toBe(CUSTOM_IMAGE);

    const yaml = await oshinko('get', '-o', 'yaml');
    const list = parse(yaml.stdout) as ClusterSummary[];
    expect(list.map((c) => [c.name, c.customImage])).toEqual([
      ['etl', true],
      ['spark1', false],
    ]);

    const table = await oshinko('get', 'etl');
    expect(table.stdout).toMatch(/^POD\s+TYPE\s+STATUS\s+READY\s+RESTARTS\s+IP\s+IMAGE$/m);
    expect(table.stdout).toMatch(/^etl-m-\S+\s+master\s+Running\s+yes/m);
    expect((await oshinko('get', 'etl', '--nopods')).stdout).not.toContain('POD');
  });

  it('scale changes the workers and keeps the image', async () => {
    const result = await oshinko('scale', 'etl', '--workers', '3');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cluster "etl" scaled: master 1\/1, workers \d\/3 ready/);
    const cluster = JSON.parse((await oshinko('get', 'etl', '-o', 'json')).stdout) as ClusterModel;
    expect(cluster.workers.desired).toBe(3);
    expect(cluster.image).toBe(CUSTOM_IMAGE);
  });

  it('logs prints the log of the master and of a worker', async () => {
    const master = await oshinko('logs', 'spark1');
    expect(master.code).toBe(0);
    const worker = await oshinko('logs', 'spark1', '--worker', '2', '--tail', '20');
    expect(worker.code).toBe(0);
    const tooFar = await oshinko('logs', 'spark1', '--worker', '3');
    expect(tooFar.code).toBe(3);
    expect(tooFar.stderr).toContain('cluster "spark1" has 2 worker pods (1 to 2)');
  });

  it('logs reads a pod by name, the image check, the previous instance, and follows a log', async () => {
    const cluster = JSON.parse((await oshinko('get', 'spark1', '-o', 'json')).stdout) as ClusterModel;
    const master = cluster.pods.find((p) => p.type === 'master')?.name ?? '';
    const worker = cluster.pods.find((p) => p.type === 'worker')?.name ?? '';
    const byName = await oshinko('logs', 'spark1', worker, '--tail', '1');
    expect(byName).toMatchObject({
      code: 0,
      stdout: 'INFO Worker: Successfully registered with master spark://spark1:7077\n',
    });
    const unknown = await oshinko('logs', 'spark1', 'spark1-w-nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`cluster "spark1" has no pod "spark1-w-nope"; its pods: ${master}`);

    fake.appendPodLog('default', master, 'image check: ok', 'image-check');
    expect(await oshinko('logs', 'spark1', '-c', 'image-check')).toMatchObject({
      code: 0,
      stdout: 'image check: ok\n',
    });
    const noInit = await oshinko('logs', 'spark1', worker, '-c', 'image-check');
    expect(noInit.code).toBe(2);
    expect(noInit.stderr).toContain(`pod ${worker} has no container 'image-check'; its containers: spark`);

    const none = await oshinko('logs', 'spark1', worker, '--previous');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('has no previous instance');
    fake.appendPodLog('default', worker, 'ERROR Worker: lost');
    fake.restartContainer('default', worker);
    expect(await oshinko('logs', 'spark1', worker, '-p', '--tail', '1')).toMatchObject({
      code: 0,
      stdout: 'ERROR Worker: lost\n',
    });

    // Followed through a token file: an appended line arrives; Ctrl-C ends the follow and its API stream.
    const dir = mkdtempSync(join(tmpdir(), 'oshinko-cli-token-'));
    try {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, `${TOKEN}\n`);
      const follow = startCli(['logs', 'spark1', '-f', '--tail', '1', '--token-file', tokenFile], {
        OSHINKO_SERVER: server.url,
      });
      await follow.waitForOutput(/elected leader/);
      fake.appendPodLog('default', master, 'INFO Master: Registering app etl');
      await follow.waitForOutput(/Registering app etl\n/);
      follow.interrupt();
      await follow.exited;
      await vi.waitFor(() => {
        expect(fake.openLogFollows()).toBe(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints the server's errors, which name the field, with their exit codes", async () => {
    const taken = await oshinko('create', 'spark1');
    expect(taken.code).toBe(4);
    expect(taken.stderr).toBe("error: cluster 'spark1' already exists\n");

    const noConfig = await oshinko('create', 'other', '--storedconfig', 'nope');
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain("named config 'nope' does not exist");

    const missing = await oshinko('get', 'nothere');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("cluster 'nothere' does not exist");

    const noToken = await runCli(['get'], { OSHINKO_SERVER: server.url });
    expect(noToken.code).toBe(7);
    expect(noToken.stderr).toContain('requires a bearer token');
    const badToken = await runCli(['get', '--token', 'wrong'], { OSHINKO_SERVER: server.url });
    expect(badToken.code).toBe(7);
  });

  it('create --wait stops with the reason when the image cannot be pulled', async () => {
    const result = await oshinko(
      'create',
      'broken',
      '--image',
      MISSING_IMAGE,
      '--wait',
      '--interval',
      '100ms',
      '--timeout',
      '30s',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cluster "broken" is Degraded: .*(ErrImagePull|ImagePullBackOff)/);
    expect((await oshinko('delete', 'broken')).code).toBe(0);
  });

  it('create sends the pod settings flags, which reach the pod templates and show in get', async () => {
    const result = await oshinko(
      'create',
      'tuned',
      '--image-pull-policy',
      'IfNotPresent',
      '--master-memory',
      '1Gi',
      '--worker-cpu',
      '2',
      '--worker-memory',
      '4Gi',
      '--node-selector',
      'disktype=ssd',
      '--toleration',
      'dedicated=spark:NoSchedule',
      '--image-pull-secret',
      'regcred',
      '--label',
      'team=data',
      '--annotation',
      'example.com/owner=ana',
      '--env',
      'MODE=fast',
      '--env-from-secret',
      'TOKEN=creds:token',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const worker = fake.objects('deployments', 'default').find((d) => d.metadata.name === 'tuned-w');
    const pod = (worker as unknown as { spec: { template: { metadata: Json; spec: PodSpec } } }).spec
      .template;
    expect(pod.metadata).toMatchObject({
      labels: { team: 'data' },
      annotations: { 'example.com/owner': 'ana' },
    });
    expect(pod.spec.nodeSelector).toEqual({ disktype: 'ssd' });
    expect(pod.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
    ]);
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    const spark = pod.spec.containers[0];
    expect(spark?.imagePullPolicy).toBe('IfNotPresent');
    expect(spark?.resources).toEqual({
      requests: { cpu: '2', memory: '4Gi' },
      limits: { cpu: '2', memory: '4Gi' },
    });
    expect(spark?.env).toEqual(
      expect.arrayContaining([
        { name: 'MODE', value: 'fast' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
      ]),
    );
    const shown = (await oshinko('get', 'tuned', '--nopods')).stdout;
    expect(shown).toMatch(/^Pull policy: +IfNotPresent$/m);
    expect(shown).toMatch(/^Master resources: +memory 1Gi$/m);
    expect(shown).toMatch(/^Worker resources: +cpu 2, memory 4Gi$/m);
    expect(shown).toMatch(/^Node selector: +disktype=ssd$/m);
    expect(shown).toMatch(/^Tolerations: +dedicated=spark:NoSchedule$/m);
    expect(shown).toMatch(/^Pull secrets: +regcred$/m);
    expect(shown).toMatch(/^Env: +MODE=fast, TOKEN from Secret creds:token$/m);
    expect((await oshinko('delete', 'tuned', '--wait', '--interval', '100ms')).code).toBe(0);
  });

  it('completes cluster names from the server', async () => {
    const result = await oshinko('__complete', 'get', '');
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['etl', 'spark1']);
    expect((await oshinko('__complete', 'delete', 'sp')).stdout).toBe('spark1\n');
    // delete takes several names: the next one is any cluster not named yet.
    expect((await oshinko('__complete', 'delete', 'spark1', '')).stdout).toBe('etl\n');
  });

  it("completes the pods of a cluster for logs, as 'get NAME -o json' lists them", async () => {
    const cluster = JSON.parse((await oshinko('get', 'spark1', '-o', 'json')).stdout) as ClusterModel;
    const pods = cluster.pods.map((pod) => pod.name).sort();
    expect(pods.length).toBeGreaterThan(1);
    const offered = (await oshinko('__complete', 'logs', 'spark1', '')).stdout.split('\n').filter(Boolean);
    expect(offered.sort()).toEqual(pods);
    expect((await oshinko('__complete', 'logs', 'nothere', '')).stdout).toBe('');
  });

  it('delete --wait returns once the cluster is gone, leaving no objects', async () => {
    const result = await oshinko('delete', 'spark1', '--wait', '--interval', '100ms');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('cluster "spark1" deleted');
    expect((await oshinko('get', 'spark1')).code).toBe(3);
    const left = fake
      .objects('deployments', 'default')
      .concat(fake.objects('services', 'default'))
      .filter((object) => object.metadata.name.startsWith('spark1'));
    expect(left).toEqual([]);
  });
});

describe('oshinko delete --wait when pods take time to stop', () => {
  it('returns only once the pods are gone too, showing what is left meanwhile', async () => {
    // As on a real cluster: deleted pods stay Terminating (here 500 ms) before they are gone.
    const slow = await FakeKubeServer.start({ podStartMs: 20, podStopMs: 500 });
    const config = writeKubeconfig(slow, 'default');
    const slowServer = await startServer(['--driver', 'kubernetes', '--kubeconfig', config.path], {
      OSHINKO_CLUSTER_IMAGE: DEFAULT_IMAGE,
    });
    try {
      const slowEnv = { OSHINKO_SERVER: slowServer.url };
      const created = await runCli(
        ['create', 'slow', '--workers', '1', '--wait', '--interval', '50ms'],
        slowEnv,
      );
      expect(created.code).toBe(0);
      const deleted = await runCli(['delete', 'slow', '--wait', '--interval', '50ms'], slowEnv);
      expect(deleted.stderr).toBe('');
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toContain('cluster "slow": deleting, 2 pods left');
      expect(deleted.stdout).toContain('cluster "slow" deleted');
      const left = (['deployments', 'replicasets', 'pods', 'services'] as const).flatMap((r) =>
        slow.objects(r, 'default'),
      );
      expect(left).toEqual([]);
    } finally {
      await slowServer.stop();
      await slow.close();
      config.remove();
    }
  });
});

/** A CLI process that runs until stopped (`get --watch`), with what it has printed so far. */
describe("oshinko CLI's output and commands as kubectl's", () => {
  let kube: FakeKubeServer;
  let config: KubeconfigFile;
  let api: ServerProcess;
  let apiEnv: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, apiEnv);

  beforeAll(async () => {
    kube = await FakeKubeServer.start({ podStartMs: 20 });
    config = writeKubeconfig(kube, 'default');
    api = await startServer(['--driver', 'kubernetes', '--kubeconfig', config.path], {
      OSHINKO_CLUSTER_IMAGE: DEFAULT_IMAGE,
    });
    apiEnv = { OSHINKO_SERVER: api.url };
  });

  afterAll(async () => {
    await api.stop();
    await kube.close();
    config.remove();
  });

  it('create -o json --wait prints the ready cluster alone; the progress goes to standard error', async () => {
    for (const name of ['alpha', 'beta']) {
      const result = await cli(
        'create',
        name,
        '--workers',
        '1',
        '--wait',
        '--interval',
        '50ms',
        '-o',
        'json',
      );
      expect(result.code).toBe(0);
      const cluster = JSON.parse(result.stdout) as ClusterModel;
      expect(cluster).toMatchObject({ name, status: 'Running', workers: { desired: 1, ready: 1 } });
      expect(result.stderr).toContain(`cluster "${name}": Running, master 1/1, workers 1/1 ready`);
    }
    const named = await cli('create', 'gamma', '--workers', '0', '-o', 'name');
    expect(named).toMatchObject({ code: 0, stdout: 'cluster/gamma\n' });
  });

  it('get -o wide|name|jsonpath and --no-headers', async () => {
    const wide = (await cli('get', '-o', 'wide')).stdout.split('\n');
    expect(wide[0]).toMatch(
      /^NAME\s+STATUS\s+WORKERS\s+MASTERS\s+IMAGE\s+IMAGE SOURCE\s+MASTER URL\s+WEB UI\s+AGE/,
    );
    expect(wide[1]).toMatch(
      /^alpha\s+Running\s+1\/1\s+1\s+docker\.io\/apache\/spark:3\.5\.3\s+default\s+spark:\/\/alpha:7077\s+http:\/\/alpha-ui:8080\s+\d+s/,
    );
    const bare = (await cli('get', '--no-headers')).stdout;
    expect(bare).not.toContain('NAME');
    expect(
      bare
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['alpha', 'beta', 'gamma']);
    expect((await cli('get', '-o', 'name')).stdout).toBe('cluster/alpha\ncluster/beta\ncluster/gamma\n');
    expect((await cli('get', '-o', 'jsonpath={.items[*].name}')).stdout).toBe('alpha beta gamma');
    const ranged = await cli('get', '-o', 'jsonpath={range .items[*]}{.name}={.workersReady}{"\\n"}{end}');
    expect(ranged.stdout).toBe('alpha=1\nbeta=1\ngamma=0\n');
    expect((await cli('get', 'cluster/alpha', '-o', 'jsonpath={.masterUrl}')).stdout).toBe(
      'spark://alpha:7077',
    );
  });

  it('get NAME ends with the events of the cluster, as kubectl describe does', async () => {
    // A cluster without pods has had no events; the others have their pods' (here: Started).
    expect((await cli('create', 'idle', '--masters', '0', '--workers', '0')).code).toBe(0);
    expect((await cli('get', 'idle')).stdout).toMatch(/\nNo pods\.\n\nEvents: {2}<none>\n$/);
    expect((await cli('delete', 'idle')).code).toBe(0);
    expect((await cli('get', 'beta')).stdout).toMatch(
      /^ {2}Normal\s+Started\s+\d+s\s+Pod\/beta-m-\S+\s+Started container/m,
    );
    kube.seed('events', 'default', {
      metadata: { name: 'alpha-m.1' },
      involvedObject: { kind: 'Deployment', name: 'alpha-m' },
      type: 'Warning',
      reason: 'FailedCreate',
      message: 'quota exceeded',
      lastTimestamp: new Date().toISOString(),
    });
    const deadline = Date.now() + 10_000;
    let shown = '';
    while (!shown.includes('FailedCreate') && Date.now() < deadline) {
      shown = (await cli('get', 'alpha')).stdout;
    }
    expect(shown).toMatch(/^Events:\n {2}Type\s+Reason\s+Age\s+From\s+Message\n/m);
    expect(shown).toMatch(/^ {2}Warning\s+FailedCreate\s+\d+s\s+Deployment\/alpha-m\s+quota exceeded$/m);
  });

  it('scale --wait waits until exactly that many workers are ready', async () => {
    const up = await cli('scale', 'alpha', '--workers', '3', '--wait', '--interval', '50ms');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('cluster "alpha": Running, master 1/1, workers 3/3 ready');
    expect(up.stdout).toMatch(/cluster "alpha" is ready\n$/);
    const down = await cli(
      'scale',
      'alpha',
      '--workers',
      '1',
      '--wait',
      '--interval',
      '50ms',
      '-o',
      'jsonpath={.workers}',
    );
    expect(down).toMatchObject({ code: 0, stdout: '{"desired":1,"ready":1}' });
  });

  it('get -w prints the table, then the rows that change, until Ctrl-C (exit 0)', async () => {
    const watch = startCli(['get', '-w', '--interval', '100ms'], apiEnv);
    await watch.waitForOutput(/^gamma\s+Running/m);
    expect((await cli('scale', 'gamma', '--workers', '1')).code).toBe(0);
    await watch.waitForOutput(/^gamma\s+\S+\s+\d\/1\s/m);
    expect((await cli('delete', 'beta')).code).toBe(0);
    await watch.waitForOutput(/^beta\s+Deleted\s/m);
    watch.interrupt();
    const ended = await watch.exited;
    expect(ended.code).toBe(0);
    const lines = ended.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS/);
    expect(lines.filter((line) => line.startsWith('NAME'))).toHaveLength(1);
  });

  it('get NAME -w follows one cluster until it is deleted', async () => {
    const watch = startCli(['get', 'gamma', '--watch', '--interval', '100ms'], apiEnv);
    await watch.waitForOutput(/^gamma\s/m);
    expect((await cli('delete', 'gamma')).code).toBe(0);
    const ended = await watch.exited;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/cluster "gamma" deleted\n$/);
  });

  it('delete takes several clusters: each one is reported, and a failure does not stop the others', async () => {
    expect((await cli('create', 'delta', '--workers', '0')).code).toBe(0);
    const result = await cli(
      'delete',
      'alpha',
      'nothere',
      'cluster/delta',
      '--wait',
      '--interval',
      '50ms',
      '-o',
      'name',
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('cluster/alpha\ncluster/delta\n');
    expect(result.stderr).toContain("cluster 'nothere' does not exist");
    expect((await cli('get', '-o', 'name')).stdout).toBe('');
  });

  it('version -o yaml', async () => {
    const result = await cli('version', '-o', 'yaml');
    expect(result.code).toBe(0);
    expect(parse(result.stdout)).toMatchObject({
      server: { driver: 'kubernetes', defaultImage: DEFAULT_IMAGE },
    });
  });
});
