import { describe, expect, it } from 'vitest';
import type { ClusterObservation, PodState } from '../../core/cluster.js';
import { builtinDefaults } from '../../core/cluster-config.js';
import {
  allRegistered,
  applyRegistration,
  hostKey,
  masterKey,
  registrationFacts,
  registrationTarget,
} from './worker-registration.js';

const IMAGE = 'docker.io/apache/spark:4.0.1';

function pod(name: string, type: PodState['type'], ip: string, ready = ip !== ''): PodState {
  return { name, type, ip, status: ready ? 'Running' : 'Pending', ready, image: IMAGE, restarts: 0 };
}

/** A worker entry as Spark's MasterWebUI writes it in /json/ (JsonProtocol.writeWorkerInfo). */
function sparkWorker(host: string, state: string, port = 35_001) {
  return {
    id: `worker-20260101120000-${host}-${String(port)}`,
    host,
    port,
    webuiaddress: `http://${host}:8081`,
    cores: 4,
    coresused: 0,
    coresfree: 4,
    memory: 6144,
    memoryused: 0,
    memoryfree: 6144,
    resources: {},
    resourcesused: {},
    resourcesfree: {},
    state,
    lastheartbeat: 1_767_268_800_000,
  };
}

function masterJson(workers: unknown[], status = 'ALIVE') {
  return {
    url: 'spark://10.128.0.5:7077',
    workers,
    aliveworkers: workers.length,
    cores: 8,
    coresused: 0,
    memory: 12_288,
    memoryused: 0,
    resources: [],
    resourcesused: [],
    activeapps: [],
    completedapps: [],
    activedrivers: [],
    completeddrivers: [],
    status,
  };
}

describe("the master's /json/", () => {
  it('gives the hosts of the ALIVE workers only', () => {
    const facts = registrationFacts(
      masterJson([
        sparkWorker('10.128.0.7', 'ALIVE'),
        sparkWorker('10.128.0.8', 'DEAD'),
        sparkWorker('10.128.0.9', 'UNKNOWN'),
        sparkWorker('[FD00::1]', 'ALIVE'),
        { state: 'ALIVE' },
        'not a worker',
      ]),
      'm/10.128.0.5/0',
    );
    expect(facts).toEqual({ masterKey: 'm/10.128.0.5/0', aliveHosts: new Set(['10.128.0.7', 'fd00::1']) });
  });

  it('counts no worker of a master that is not ALIVE itself, or of an answer that is not Spark JSON', () => {
    expect(registrationFacts(masterJson([sparkWorker('10.0.0.1', 'ALIVE')], 'STANDBY'), 'k')).toEqual({
      masterKey: 'k',
      problem: 'the master is STANDBY',
    });
    expect(registrationFacts('<html>', 'k')).toEqual({
      masterKey: 'k',
      problem: "the master's /json/ answer has no list of workers",
    });
    expect(registrationFacts({ status: 'ALIVE' }, 'k')).toEqual({
      masterKey: 'k',
      problem: "the master's /json/ answer has no list of workers",
    });
  });

  it('matches hosts as pod IPs are written', () => {
    expect(hostKey('[fd00::a]')).toBe('fd00::a');
    expect(hostKey('10.0.0.1')).toBe('10.0.0.1');
  });
});

describe('applying registration to pods', () => {
  const master = pod('c-m-1', 'master', '10.0.0.1');
  const key = masterKey(master);

  it('marks each worker pod by its IP in the ALIVE list of the current master', () => {
    const pods = [
      master,
      pod('c-w-1', 'worker', '10.0.0.2'),
      pod('c-w-2', 'worker', '10.0.0.3'),
      pod('c-w-3', 'worker', ''),
    ];
    const applied = applyRegistration(pods, { masterKey: key, aliveHosts: new Set(['10.0.0.2', '']) });
    expect(applied.problem).toBeUndefined();
    expect(applied.pods.map((p) => [p.name, p.registered])).toEqual([
      ['c-m-1', undefined],
      ['c-w-1', true],
      ['c-w-2', false],
      ['c-w-3', false],
    ]);
  });

  it('counts nobody, and says why, without facts about the current ready master', () => {
    const worker = pod('c-w-1', 'worker', '10.0.0.2');
    const alive = new Set(['10.0.0.2']);
    const cases: [PodState[], Parameters<typeof applyRegistration>[1], string][] = [
      [[master, worker], undefined, 'the master has not been asked yet'],
      [
        [master, worker],
        { masterKey: 'c-m-0/10.0.0.9/0', aliveHosts: alive },
        'the master has not been asked yet',
      ],
      [
        [{ ...master, restarts: 1 }, worker],
        { masterKey: key, aliveHosts: alive },
        'the master has not been asked yet',
      ],
      [
        [{ ...master, ready: false }, worker],
        { masterKey: key, aliveHosts: alive },
        'the master is not ready',
      ],
      [[worker], undefined, 'there is no master'],
      [[master, worker], { masterKey: key, problem: 'cannot read it' }, 'cannot read it'],
    ];
    for (const [pods, facts, problem] of cases) {
      const applied = applyRegistration(pods, facts);
      expect(applied.problem).toBe(problem);
      expect(applied.pods.find((p) => p.type === 'worker')?.registered).toBe(false);
    }
  });
});

describe('the poller target of a cluster', () => {
  const observation = (pods: PodState[]): ClusterObservation => ({
    name: 'c',
    config: builtinDefaults(IMAGE),
    imageSource: 'default',
    storedConfig: undefined,
    createdAt: '',
    masterUrl: 'spark://c:7077',
    masterWebUrl: 'http://c-ui:8080',
    masterWebRoute: undefined,
    pods,
    missing: [],
  });

  it('names the ready master and the ready workers, and changes with them', () => {
    const master = pod('c-m-1', 'master', '10.0.0.1');
    const starting = registrationTarget(observation([master, pod('c-w-1', 'worker', '')]));
    const ready = registrationTarget(observation([master, pod('c-w-1', 'worker', '10.0.0.2')]));
    expect(starting).toMatchObject({ masterKey: masterKey(master), readyWorkerHosts: [] });
    expect(ready).toMatchObject({ masterKey: masterKey(master), readyWorkerHosts: ['10.0.0.2'] });
    expect(ready.signature).not.toBe(starting.signature);
    expect(registrationTarget(observation([{ ...master, ready: false }])).masterKey).toBeUndefined();

    expect(allRegistered(ready, { masterKey: 'k', aliveHosts: new Set(['10.0.0.2']) })).toBe(true);
    expect(allRegistered(ready, { masterKey: 'k', aliveHosts: new Set() })).toBe(false);
    expect(allRegistered(ready, { masterKey: 'k', problem: 'x' })).toBe(false);
  });
});
