/**
 * The Spark daemons in the fake's pods, as far as oshinko looks at them: the log a master or worker container
 * writes on start, and the master's web UI (`/json/`) reached through the API server's service proxy, listing the
 * ready workers that found it through their master URL's Service.
 */
import { createHash } from 'node:crypto';
import {
  HttpError,
  isRecord,
  notFound,
  records,
  resourceDef,
  type Json,
  type KubeObject,
  type RawAnswer,
} from './kube-object.js';
import type { ObjectStore } from './store.js';

export class SparkDaemons {
  /** Services through which Spark workers fail to reach their master (`setWorkersRegistered`). */
  private readonly unreachableMasters = new Set<string>();

  constructor(private readonly store: ObjectStore) {}

  /** Whether the workers whose master URL names Service `service` register with the master (default: yes). */
  setWorkersRegistered(service: string, registered: boolean): void {
    if (registered) this.unreachableMasters.delete(service);
    else this.unreachableMasters.add(service);
  }

  /** The lines a Spark daemon's container prints on start (none for another container). */
  startLog(pod: KubeObject, container: Json): string[] {
    // What the container runs: its args (after the image's entrypoint) or its command.
    const command = commandOf(container);
    const ip = podIp(pod);
    const daemon = command.find((part) => part.startsWith('org.apache.spark.deploy.')) ?? 'unknown';
    const lines = [
      `Spark Command: /opt/java/openjdk/bin/java -cp /opt/spark/conf/:/opt/spark/jars/* ${command.slice(1).join(' ').replace('$(POD_IP)', ip)}`,
      '========================================',
      `INFO ${daemon.split('.').pop() ?? ''}: Started daemon with process name: 1@${pod.metadata.name}`,
    ];
    if (daemon.endsWith('.Master')) {
      lines.push(
        `INFO Master: Starting Spark master at spark://${ip}:7077`,
        `INFO MasterWebUI: Bound MasterWebUI to 0.0.0.0, and started at http://${ip}:8080`,
        'INFO Master: I have been elected leader! New state: ALIVE',
      );
    } else if (daemon.endsWith('.Worker')) {
      const master = command[command.length - 1] ?? '';
      const address = master.replace('spark://', '');
      lines.push(
        `INFO Worker: Connecting to master ${address}...`,
        this.unreachableMasters.has(masterService(master) ?? '')
          ? `WARN Worker: Failed to connect to master ${address}`
          : `INFO Worker: Successfully registered with master ${master}`,
      );
    }
    return lines;
  }

  /** As the API server: the Service's port by name or number, a ready endpoint, and that pod's answer. */
  serviceProxy(namespace: string, id: string, path: string): RawAnswer {
    const parts = id.split(':');
    const name = (parts.length === 3 ? parts[1] : parts[0]) ?? '';
    const port = (parts.length === 3 ? parts[2] : parts[1]) ?? '';
    const service = this.store.get('services', namespace, name);
    if (service === undefined) throw notFound(resourceDef('services'), name);
    const ports = records(service.spec?.ports);
    const servicePort =
      port === ''
        ? ports.length === 1
          ? ports[0]
          : undefined
        : ports.find((p) => p.name === port || String(p.port) === port);
    if (servicePort === undefined) {
      throw new HttpError(
        503,
        'ServiceUnavailable',
        `no service port ${JSON.stringify(port)} found for service ${JSON.stringify(name)}`,
      );
    }
    const selector = isRecord(service.spec?.selector)
      ? (service.spec.selector as Record<string, string>)
      : {};
    const endpoint = this.store
      .podsIn(namespace)
      .filter((pod) => Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v))
      .find((pod) => isReady(pod) && podIp(pod) !== '');
    if (endpoint === undefined) {
      throw new HttpError(
        503,
        'ServiceUnavailable',
        `no endpoints available for service ${JSON.stringify(id)}`,
      );
    }
    return this.webUi(namespace, endpoint, path);
  }

  /** What a Spark daemon's web UI answers: the master's /json/; anything else is not simulated. */
  private webUi(namespace: string, pod: KubeObject, path: string): RawAnswer {
    const master = commandOf(records(pod.spec?.containers)[0] ?? {}).includes(
      'org.apache.spark.deploy.master.Master',
    );
    if (!master || (path !== '/json' && path !== '/json/')) {
      return { status: 404, raw: 'Not Found\n', contentType: 'text/plain;charset=utf-8' };
    }
    const ip = podIp(pod);
    const workers = this.registeredWorkers(namespace, pod).map((worker) => workerJson(worker));
    const json = {
      url: `spark://${ip}:7077`,
      workers,
      aliveworkers: workers.length,
      cores: workers.length * 2,
      coresused: 0,
      memory: workers.length * 1024,
      memoryused: 0,
      resources: [],
      resourcesused: [],
      activeapps: [],
      completedapps: [],
      activedrivers: [],
      completeddrivers: [],
      status: 'ALIVE',
    };
    // What Spark's MasterWebUI sends for /json/.
    return { status: 200, raw: JSON.stringify(json), contentType: 'text/json;charset=utf-8' };
  }

  /**
   * The ready Spark workers whose master URL names a Service that selects `master`: they found it and
   * registered, unless `setWorkersRegistered` says they cannot reach it.
   */
  private registeredWorkers(namespace: string, master: KubeObject): KubeObject[] {
    return this.store.podsIn(namespace).filter((pod) => {
      const command = commandOf(records(pod.spec?.containers)[0] ?? {});
      if (!command.includes('org.apache.spark.deploy.worker.Worker') || !isReady(pod) || podIp(pod) === '')
        return false;
      const service = masterService(command[command.length - 1] ?? '');
      if (service === undefined || this.unreachableMasters.has(service)) return false;
      const selector = this.store.get('services', namespace, service)?.spec?.selector;
      return (
        isRecord(selector) && Object.entries(selector).every(([k, v]) => master.metadata.labels?.[k] === v)
      );
    });
  }
}

/** A worker as the master's /json/ lists it. */
function workerJson(worker: KubeObject): Json {
  const host = podIp(worker);
  const port =
    30_000 +
    (Number.parseInt(createHash('sha256').update(worker.metadata.name).digest('hex').slice(0, 4), 16) %
      10_000);
  return {
    id: `worker-20260101000000-${host}-${String(port)}`,
    host,
    port,
    webuiaddress: `http://${host}:8081`,
    cores: 2,
    coresused: 0,
    coresfree: 2,
    memory: 1024,
    memoryused: 0,
    memoryfree: 1024,
    resources: {},
    resourcesused: {},
    resourcesfree: {},
    state: 'ALIVE',
    lastheartbeat: Date.now(),
  };
}

/** The Service a Spark master URL names: `spark://<service>[.<namespace>...]:<port>` -> `<service>`. */
function masterService(url: string): string | undefined {
  return /^spark:\/\/([^.:/]+)/.exec(url)?.[1];
}

/** The arguments a container runs (its command, then its args). */
function commandOf(container: Json): string[] {
  return [
    ...(Array.isArray(container.command) ? container.command.map(String) : []),
    ...(Array.isArray(container.args) ? container.args.map(String) : []),
  ];
}

function isReady(pod: KubeObject): boolean {
  return (
    pod.metadata.deletionTimestamp === undefined &&
    records(pod.status?.conditions).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function podIp(pod: KubeObject): string {
  return typeof pod.status?.podIP === 'string' ? pod.status.podIP : '';
}
