/**
 * oshinko itself in the cluster, deployed as docs/deploy-kubernetes.md tells a new user: the server image built from
 * deploy/Containerfile, the manifests of deploy/kubernetes applied with kustomize after the namespace, image and
 * default Spark image are set, and the token Secret created by hand. The server runs on its ServiceAccount's token
 * (no kubeconfig) and its Role is its only right, so the cluster's RBAC authorizer judges every call it makes. The
 * test reaches it through its Service's ClusterIP, which kube-proxy serves to the host too.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import { KUBERNETES_API_CALLS } from '../../src/drivers/kubernetes/api-calls.js';
import {
  REPO,
  allRegistered,
  kubectl,
  kubectlJson,
  loadImage,
  masterJson,
  removeDir,
  sleep,
  waitForCluster,
} from './real-cluster.js';
import { realClusterSuite } from './suite.js';

const run = promisify(execFile);

/** What `images.sh oshinko` tags. */
const SERVER_IMAGE_NAME = 'localhost/oshinko/server';
const SERVER_IMAGE_TAG = 'dev';
const SERVER_IMAGE = `${SERVER_IMAGE_NAME}:${SERVER_IMAGE_TAG}`;
const SPARK_IMAGE = 'localhost/oshinko/spark:4.3.0';
/** What deploy/kubernetes names: the ServiceAccount, Role, RoleBinding, Deployment and Service are all `oshinko`. */
const SERVER = 'oshinko';
const SELECTOR = 'app.kubernetes.io/name=oshinko,app.kubernetes.io/component=server';

interface Pod {
  metadata: { name: string };
  spec: {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    containers: { image: string; imagePullPolicy?: string; env?: { name: string }[]; args?: string[] }[];
  };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

interface Role {
  rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

/** `images.sh oshinko`: the server image from deploy/Containerfile, as a docker archive (cached by its inputs). */
async function serverImageArchive(): Promise<string> {
  const { stdout } = await run('bash', [join(REPO, 'scripts', 'kube', 'images.sh'), 'oshinko'], {
    maxBuffer: 8 * 1024 * 1024,
  });
  const archive = stdout.trim().split('\n').at(-1) ?? '';
  if (!archive.endsWith('.tar')) throw new Error(`images.sh oshinko printed no archive: ${stdout}`);
  return archive;
}

/**
 * A user's copy of deploy/kubernetes with what docs/deploy-kubernetes.md has them choose: the namespace and image
 * (`kustomize edit set namespace|image`, done here on the file) and, as a Deployment setting, the default Spark image.
 */
async function userKustomization(namespace: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oshinko-deploy-'));
  await cp(join(REPO, 'deploy', 'kubernetes'), dir, { recursive: true });
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parseDocument(await readFile(file, 'utf8'));
  kustomization.set('namespace', namespace);
  kustomization.set('images', [{ name: 'oshinko', newName: SERVER_IMAGE_NAME, newTag: SERVER_IMAGE_TAG }]);
  kustomization.set('patches', [
    {
      patch: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: SERVER },
        spec: {
          template: {
            spec: {
              containers: [{ name: SERVER, env: [{ name: 'OSHINKO_CLUSTER_IMAGE', value: SPARK_IMAGE }] }],
            },
          },
        },
      }),
    },
  ]);
  await writeFile(file, kustomization.toString());
  return dir;
}

function parseJsonLine(line: string): { level?: number; res?: { statusCode?: number } } | undefined {
  try {
    return JSON.parse(line) as { level?: number; res?: { statusCode?: number } };
  } catch (error) {
    // A line of the log that is not JSON (the runtime's own) is no entry; nothing else is expected.
    if (!(error instanceof SyntaxError)) throw error;
    return undefined;
  }
}

const isReady = (pod: Pod): boolean =>
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('the oshinko server deployed in the cluster with deploy/kubernetes', () => {
  let deployDir: string | undefined;
  let url = '';
  let client: OshinkoClient;
  const suite = realClusterSuite('e2e-incluster', {
    teardown: async () => {
      if (deployDir !== undefined) await removeDir(deployDir);
    },
  });

  /** The server's own log, for the failure messages and the RBAC check. */
  const serverLog = (tail = -1): Promise<string> =>
    kubectl(suite.cluster, ['logs', '-n', suite.namespace, `deployment/${SERVER}`, `--tail=${tail}`]).catch(
      (error: unknown) => `(no log: ${(error as Error).message})`,
    );

  async function serverPod(): Promise<Pod | undefined> {
    const list = await kubectlJson<{ items: Pod[] }>(suite.cluster, [
      'get',
      'pods',
      '-n',
      suite.namespace,
      '-l',
      SELECTOR,
    ]);
    return list.items[0];
  }

  /**
   * Waits for the server's pod to be Ready (its /readyz lists clusters through the API with the Role's rights).
   * A pod that stays unready fails with what its own /readyz says, asked at the pod IP with the token (without it,
   * /readyz says not ready but not why), and its log.
   */
  async function waitForServer(token: string, timeoutMs = 120_000): Promise<Pod> {
    const deadline = Date.now() + timeoutMs;
    let readyz = 'not asked';
    for (;;) {
      const pod = await serverPod();
      if (pod !== undefined && isReady(pod)) return pod;
      if (pod?.status.podIP !== undefined) {
        readyz = await fetch(`http://${pod.status.podIP}:8080/readyz`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(5000),
        })
          .then(async (r) => `${r.status} ${await r.text()}`)
          .catch((error: unknown) => (error as Error).message);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the server's pod is not ready after ${timeoutMs} ms; its /readyz: ${readyz}\n${await serverLog(100)}`,
        );
      }
      await sleep(1000);
    }
  }

  const account = (): string => `system:serviceaccount:${suite.namespace}:${SERVER}`;

  /** `kubectl auth can-i` as the server's ServiceAccount (impersonated by the admin); the real authorizer answers. */
  async function canI(verb: string, resource: string, where: string | undefined): Promise<boolean> {
    // `pods/log` as such is a resource kubectl does not know (always "no"): a subresource goes as --subresource.
    const [plural = '', subresource] = resource.split('/');
    const args = ['auth', 'can-i', verb, plural, `--as=${account()}`];
    if (subresource !== undefined) args.push(`--subresource=${subresource}`);
    if (where !== undefined) args.push('-n', where);
    const answer = await kubectl(suite.cluster, args).catch(
      (error: unknown) => (error as { stdout?: string }).stdout ?? '',
    );
    if (!['yes', 'no'].includes(answer.trim())) throw new Error(`can-i ${verb} ${resource}: ${answer}`);
    return answer.trim() === 'yes';
  }

  /**
   * The same question as a SubjectAccessReview, by API group, resource and subresource as RBAC sees them: unlike
   * can-i it needs no discovery, so it also asks about OpenShift's Routes, which this cluster does not serve.
   */
  async function allowed(verb: string, group: string, resource: string, where: string): Promise<boolean> {
    const [plural = '', subresource] = resource.split('/');
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: account(),
        // The groups the API server gives a ServiceAccount's token.
        groups: [
          'system:serviceaccounts',
          `system:serviceaccounts:${suite.namespace}`,
          'system:authenticated',
        ],
        resourceAttributes: { verb, group, resource: plural, subresource, namespace: where },
      },
    };
    const answer = JSON.parse(
      await kubectl(suite.cluster, ['create', '-o', 'json', '-f', '-'], JSON.stringify(review)),
    ) as { status: { allowed: boolean } };
    return answer.status.allowed;
  }

  /** Every object of a Spark cluster that Kubernetes still has, whoever made it. */
  async function leftovers(name: string): Promise<string[]> {
    const list = await kubectlJson<{ items: { kind?: string; metadata: { name: string } }[] }>(
      suite.cluster,
      [
        'get',
        'deployments,replicasets,pods,services,endpointslices,configmaps,ingresses',
        '-n',
        suite.namespace,
        '-l',
        `oshinko-cluster=${name}`,
      ],
    );
    return list.items.map((item) => `${item.kind ?? ''}/${item.metadata.name}`);
  }

  /** Waits out garbage collection (ReplicaSets, pods, EndpointSlices); returns what is left after it. */
  async function leftAfterGc(name: string, timeoutMs = 90_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let left = await leftovers(name);
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(1000);
      left = await leftovers(name);
    }
    return left;
  }

  const aliveWorkers = async (name: string): Promise<number> =>
    (await masterJson(suite.cluster, suite.namespace, `${name}-ui`)).workers.filter(
      (w) => w.state === 'ALIVE',
    ).length;

  beforeAll(async () => {
    const started = Date.now();
    await loadImage(await serverImageArchive());
    const built = Date.now();

    // docs/deploy-kubernetes.md, steps 2 to 4: namespace (the suite's) and image, the token Secret, kubectl apply -k.
    const serverToken = randomBytes(32).toString('hex');
    await kubectl(suite.cluster, [
      '-n',
      suite.namespace,
      'create',
      'secret',
      'generic',
      'oshinko-token',
      `--from-literal=token=${serverToken}`,
    ]);
    deployDir = await userKustomization(suite.namespace);
    await kubectl(suite.cluster, ['apply', '-k', deployDir]);
    await waitForServer(serverToken);

    // Step 5: the token as a user reads it back, and the Service (here its ClusterIP instead of a port-forward).
    const encoded = await kubectl(suite.cluster, [
      '-n',
      suite.namespace,
      'get',
      'secret',
      'oshinko-token',
      '-o',
      'jsonpath={.data.token}',
    ]);
    const token = Buffer.from(encoded, 'base64').toString('utf8');
    const ip = (
      await kubectl(suite.cluster, [
        '-n',
        suite.namespace,
        'get',
        'service',
        SERVER,
        '-o',
        'jsonpath={.spec.clusterIP}',
      ])
    ).trim();
    url = `http://${ip}:8080`;
    client = new OshinkoClient(url, { token, timeoutMs: 60_000 });
    console.info(
      `server image built and loaded in ${((built - started) / 1000).toFixed(1)} s, deployed and ready in ${((Date.now() - built) / 1000).toFixed(1)} s`,
    );
  });

  it('runs its image on its ServiceAccount token, no kubeconfig, and answers /readyz and its token through its Service', async () => {
    const pod = await serverPod();
    const container = pod?.spec.containers[0];
    expect(pod?.spec.serviceAccountName).toBe(SERVER);
    expect(pod?.spec.automountServiceAccountToken).not.toBe(false);
    expect(container?.image).toBe(SERVER_IMAGE);
    expect(container?.imagePullPolicy).toBe('IfNotPresent');
    expect(container?.env?.map((variable) => variable.name)).not.toContain('KUBECONFIG');
    expect(container?.args).toBeUndefined();

    const readyz = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ status: 'ready' });
    const anonymous = await fetch(`${url}/clusters`, { signal: AbortSignal.timeout(10_000) });
    expect(anonymous.status).toBe(401);

    const { application } = await client.info();
    expect(application.driver).toBe('kubernetes');
    expect(application['default-cluster-image']).toBe(SPARK_IMAGE);
    expect(application.details).toMatchObject({
      namespace: suite.namespace,
      config: 'in-cluster service account',
      server: 'https://10.96.0.1:443',
      reads: 'watch cache, live',
    });
  });

  it("refuses a Spark cluster named like its own Service, and leaves the server's Service alone", async () => {
    // Cluster `oshinko` would have a master Service `oshinko`, the server's own in this namespace.
    await expect(client.createCluster({ name: SERVER, config: { workerCount: 1 } })).rejects.toMatchObject({
      api: { status: 409 },
    });
    // The rollback removed what the create had made before the conflict, and only that.
    expect(await leftAfterGc(SERVER)).toEqual([]);
    const service = await kubectlJson<{ spec: { selector: Record<string, string> } }>(suite.cluster, [
      'get',
      'service',
      SERVER,
      '-n',
      suite.namespace,
    ]);
    expect(service.spec.selector).toEqual({
      'app.kubernetes.io/name': 'oshinko',
      'app.kubernetes.io/component': 'server',
    });
    expect((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
  });

  it('has every right its Role grants in its namespace, none elsewhere, and nothing the Role lacks', async () => {
    const granted = KUBERNETES_API_CALLS.flatMap((call) =>
      call.verbs.map((verb) => ({ verb, group: call.group, resource: call.resource })),
    );
    const answers = await Promise.all(
      granted.map(async ({ verb, group, resource }) => ({
        call: `${verb} ${resource}${group === '' ? '' : `.${group}`}`,
        here: await allowed(verb, group, resource, suite.namespace),
        elsewhere: await allowed(verb, group, resource, 'default'),
      })),
    );
    expect(answers.filter((a) => !a.here).map((a) => a.call)).toEqual([]);
    expect(answers.filter((a) => a.elsewhere).map((a) => a.call)).toEqual([]);
    // can-i agrees where kubectl can map the resource (subresources as --subresource).
    expect(await canI('get', 'pods', suite.namespace)).toBe(false);
    expect(await canI('list', 'pods', suite.namespace)).toBe(true);
    expect(await canI('patch', 'deployments.apps', suite.namespace)).toBe(true);
    expect(await canI('get', 'pods/log', suite.namespace)).toBe(true);
    expect(await canI('get', 'services/proxy', suite.namespace)).toBe(true);
    expect(await canI('get', 'secrets', suite.namespace)).toBe(true);
    expect(await canI('get', 'pods/log', 'default')).toBe(false);

    const refused: [string, string, string | undefined][] = [
      ['delete', 'namespaces', undefined],
      ['create', 'clusterroles', undefined],
      ['create', 'clusterrolebindings', undefined],
      ['list', 'nodes', undefined],
      // `get` on secrets is granted (whether a Secret a cluster names exists, asked for its metadata only); a list
      // or watch would hand over every Secret of the namespace.
      ['list', 'secrets', suite.namespace],
      ['watch', 'secrets', suite.namespace],
      ['get', 'secrets', 'default'],
      ['create', 'pods', suite.namespace],
      ['delete', 'pods', suite.namespace],
      ['create', 'pods/exec', suite.namespace],
      ['create', 'pods/portforward', suite.namespace],
      ['update', 'deployments.apps', suite.namespace],
      ['create', 'configmaps', suite.namespace],
      ['create', 'rolebindings.rbac.authorization.k8s.io', suite.namespace],
      ['patch', 'roles.rbac.authorization.k8s.io', suite.namespace],
      ['create', 'serviceaccounts/token', suite.namespace],
    ];
    const yes = [];
    for (const [verb, resource, where] of refused) {
      if (await canI(verb, resource, where)) yes.push(`${verb} ${resource}`);
    }
    expect(yes).toEqual([]);
  });

  it('creates a cluster through its Service, scales it 1 -> 2 with both workers registered, serves logs, deletes it', async () => {
    const created = await client.createCluster({ name: 'inpod', config: { workerCount: 1 } });
    expect(created.image).toBe(SPARK_IMAGE);
    await waitForCluster(client, 'inpod', allRegistered);
    expect(await aliveWorkers('inpod')).toBe(1);

    await client.scaleCluster('inpod', { workerCount: 2 });
    const scaled = await waitForCluster(client, 'inpod', (c) => allRegistered(c) && c.workers.ready === 2);
    expect(scaled.pods.filter((p) => p.type === 'worker' && p.ready)).toHaveLength(2);
    expect(await aliveWorkers('inpod')).toBe(2);

    const masterLog = await client.logs('inpod');
    expect(masterLog).toMatch(/Registering worker/);
    const worker = scaled.pods.find((p) => p.type === 'worker');
    expect(await client.logs('inpod', { pod: worker?.name ?? '', tail: 50 })).toMatch(
      /Successfully registered with master/,
    );
    expect((await client.listClusters()).map((c) => c.name)).toEqual(['inpod']);

    await client.deleteCluster('inpod');
    expect(await leftAfterGc('inpod')).toEqual([]);
    await expect(client.getCluster('inpod')).rejects.toMatchObject({ api: { status: 404 } });

    // Nothing denied and nothing failed on the server's side: no warning or error in its log (pino's JSON lines,
    // level 40 and up), no answer of 403 or 5xx, no mention of a missing permission.
    const lines = (await serverLog()).split('\n').filter((line) => line.trim() !== '');
    const complaints = lines.filter((line) => {
      const entry = parseJsonLine(line);
      const status = entry?.res?.statusCode ?? 0;
      return (
        (entry?.level ?? 0) >= 40 ||
        status === 403 ||
        status >= 500 ||
        /forbidden|lacks a permission/i.test(line)
      );
    });
    expect(lines.length).toBeGreaterThan(0);
    expect(complaints).toEqual([]);
  });

  it("answers to its Role alone: without get services/proxy no worker counts, and the API's 403 is the reason", async () => {
    await client.createCluster({ name: 'bounded', config: { workerCount: 1 } });
    await waitForCluster(client, 'bounded', allRegistered);

    const role = await kubectlJson<Role>(suite.cluster, ['get', 'role', SERVER, '-n', suite.namespace]);
    const without = {
      ...role,
      rules: role.rules.filter((rule) => !rule.resources.includes('services/proxy')),
    };
    expect(without.rules.length).toBe(role.rules.length - 1);
    await kubectl(suite.cluster, ['replace', '-f', '-'], JSON.stringify(without));
    try {
      const cut = await waitForCluster(
        client,
        'bounded',
        (c) => c.workers.ready === 0 && (c.reason ?? '').includes('403'),
        60_000,
      );
      expect(cut.status).toBe('Creating');
      expect(cut.reason).toMatch(/cannot read the master's \/json\/.*403/);
    } finally {
      // What a user does to put the Role back: apply the manifests again.
      await kubectl(suite.cluster, ['apply', '-k', deployDir ?? '']);
    }
    await waitForCluster(client, 'bounded', allRegistered, 60_000);
    await client.deleteCluster('bounded');
  });
});
