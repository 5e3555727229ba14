import { describe, expect, it } from 'vitest';
import type { ClusterModel, ClusterSummary } from '../client/oshinko-client.js';
import {
  clusterDetails,
  clusterTable,
  connectHint,
  eventsSection,
  renderTable,
  summaryOf,
  TableWriter,
} from './format.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function summary(overrides: Partial<ClusterSummary> = {}): ClusterSummary {
  return {
    name: 'spark1',
    href: '/clusters/spark1',
    status: 'Running',
    masterCount: 1,
    workerCount: 3,
    workersReady: 2,
    masterUrl: 'spark://spark1:7077',
    masterWebUrl: 'http://spark1-ui:8080',
    image: 'docker.io/apache/spark:3.5.3',
    customImage: false,
    imageSource: 'default',
    createdAt: '2026-01-01T11:55:00Z',
    ...overrides,
  };
}

function model(overrides: Partial<ClusterModel> = {}): ClusterModel {
  return {
    name: 'etl',
    href: '/clusters/etl',
    status: 'Degraded',
    reason: 'etl-w-1: ImagePullBackOff',
    config: {
      masterCount: 1,
      workerCount: 1,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'quay.io/me/spark:custom',
      exposeWebUI: 'true',
      metrics: 'false',
    },
    image: 'quay.io/me/spark:custom',
    customImage: true,
    imageSource: 'request',
    masterUrl: 'spark://etl:7077',
    masterWebUrl: 'http://etl-ui:8080',
    masters: { desired: 1, ready: 1 },
    workers: { desired: 1, ready: 0 },
    pods: [
      {
        name: 'etl-m-1',
        ip: '10.0.0.5',
        type: 'master',
        status: 'Running',
        ready: true,
        image: 'quay.io/me/spark:custom',
        restarts: 0,
      },
      {
        name: 'etl-w-1',
        ip: '',
        type: 'worker',
        status: 'ImagePullBackOff',
        ready: false,
        image: 'quay.io/me/spark:custom',
        restarts: 2,
        reason: 'not found',
      },
    ],
    createdAt: '2026-01-01T09:00:00Z',
    ...overrides,
  };
}

describe('CLI formatting', () => {
  it('aligns table columns', () => {
    expect(renderTable(['A', 'BB'], [['long value', 'x']])).toBe('A            BB\nlong value   x\n');
  });

  it('lists clusters with ready/desired workers and marks custom images', () => {
    const text = clusterTable(
      [summary(), summary({ name: 'etl', image: 'quay.io/me/spark:custom', customImage: true })],
      NOW,
    );
    const [header, first, second] = text.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+WORKERS\s+IMAGE\s+MASTER URL\s+AGE$/);
    expect(first).toMatch(
      /^spark1\s+Running\s+2\/3\s+docker\.io\/apache\/spark:3\.5\.3\s+spark:\/\/spark1:7077\s+5m$/,
    );
    expect(second).toContain('quay.io/me/spark:custom (custom)');
    expect(first).not.toContain('(custom)');
  });

  it('shows one cluster with its reason, image origin and pods', () => {
    const text = clusterDetails(model(), NOW, false);
    expect(text).toContain('Reason:');
    expect(text).toContain('etl-w-1: ImagePullBackOff');
    expect(text).toContain('quay.io/me/spark:custom (custom), given at creation');
    expect(text).toMatch(/etl-w-1\s+worker\s+ImagePullBackOff \(not found\)\s+no\s+2\s+-\s+quay/);
    expect(clusterDetails(model(), NOW, true)).not.toContain('etl-m-1');
  });

  it('ends a wait with the master URL and a spark-submit example', () => {
    const hint = connectHint(model({ status: 'Running' }));
    expect(hint).toContain('Spark master: spark://etl:7077');
    expect(hint).toContain('spark-submit --master spark://etl:7077');
    expect(hint).toContain('custom image quay.io/me/spark:custom');
  });

  it('says which Spark and Python to submit with once the image check found them', () => {
    const checked = model({
      status: 'Running',
      sparkVersion: '3.5.3',
      scalaVersion: '2.12.18',
      javaVersion: '17.0.12',
      pythonVersion: '3.11.2',
    });
    const hint = connectHint(checked);
    expect(hint).toContain(
      'The cluster runs Spark 3.5.3 (Scala 2.12.18, Java 17.0.12), Python 3.11.2: submit with Spark 3.5.x and Python 3.11 (e.g. pip install pyspark==3.5.3),\nor with oshinko submit etl your_app.py, which checks the versions first.',
    );
    expect(hint).not.toContain('same Spark and Python');
    expect(clusterDetails(checked, NOW, true)).toContain(
      'Versions: Spark 3.5.3 (Scala 2.12.18, Java 17.0.12), Python 3.11.2',
    );
    const noPython = model({ status: 'Running', sparkVersion: '4.0.1' });
    expect(connectHint(noPython)).toContain(
      'The cluster runs Spark 4.0.1, no python3: submit with Spark 4.0.x (e.g.',
    );
  });

  it('shows the pod settings a cluster has, as the create flags name them, and only those', () => {
    const plain = clusterDetails(model(), NOW, true);
    expect(plain).not.toMatch(
      /Pull policy|Runs as|Pull secrets|resources|Node selector|Tolerations|Labels|Annotations|Env/,
    );
    const config = {
      ...model().config,
      imagePullPolicy: 'Always',
      runAsUser: 185,
      masterResources: { memory: '2Gi' },
      workerResources: { cpu: '2', memory: '4Gi' },
      imagePullSecrets: ['regcred', 'other'],
      nodeSelector: { disktype: 'ssd', zone: 'a' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' }],
      labels: { team: 'data' },
      annotations: { 'example.com/owner': 'ana' },
      env: [
        { name: 'MODE', value: 'fast' },
        { name: 'TOKEN', secretKeyRef: { name: 'creds', key: 'token' } },
      ],
    };
    const lines = clusterDetails(model({ config }), NOW, true).split('\n');
    for (const [key, value] of [
      ['Pull policy', 'Always'],
      ['Runs as', 'UID 185'],
      ['Master resources', 'memory 2Gi'],
      ['Worker resources', 'cpu 2, memory 4Gi'],
      ['Pull secrets', 'regcred, other'],
      ['Node selector', 'disktype=ssd, zone=a'],
      ['Tolerations', 'dedicated=spark:NoSchedule'],
      ['Labels', 'team=data'],
      ['Annotations', 'example.com/owner=ana'],
      ['Env', 'MODE=fast, TOKEN from Secret creds:token'],
    ]) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${key}: +${value}$`)));
    }
    const image = clusterDetails(model({ config: { ...config, runAsUser: 'image' } }), NOW, true);
    expect(image.split('\n')).toContainEqual(
      expect.stringMatching(/^Runs as: +the image's user \(or the platform's\)$/),
    );
  });

  it('-o wide adds the masters, image source, web UI and reason; --no-headers leaves out the header', () => {
    const rows = clusterTable(
      [
        summary({ masterWebRoute: 'spark1-ui.apps.example.com' }),
        summary({ name: 'etl', reason: 'etl-w: pulling' }),
      ],
      NOW,
      { wide: true },
    )
      .trimEnd()
      .split('\n');
    expect(rows[0]).toMatch(
      /^NAME\s+STATUS\s+WORKERS\s+MASTERS\s+IMAGE\s+IMAGE SOURCE\s+MASTER URL\s+WEB UI\s+AGE\s+REASON$/,
    );
    expect(rows[1]).toMatch(
      /^spark1\s+Running\s+2\/3\s+1\s+docker\.io\/apache\/spark:3\.5\.3\s+default\s+spark:\/\/spark1:7077\s+spark1-ui\.apps\.example\.com\s+5m$/,
    );
    expect(rows[2]).toMatch(/http:\/\/spark1-ui:8080\s+5m\s+etl-w: pulling$/);
    const bare = clusterTable([summary()], NOW, { headers: false });
    expect(bare).not.toContain('NAME');
    expect(bare.split('\n')).toHaveLength(2);
    expect(renderTable(['A'], [], { headers: false })).toBe('');
    expect(clusterDetails(model(), NOW, false, { headers: false })).not.toMatch(/NAME|POD/);
  });

  it("summarizes a cluster as the list does, so that get NAME's row is get's row", () => {
    const cluster = model({ masterWebRoute: 'etl-ui.apps' });
    expect(summaryOf(cluster)).toEqual({
      name: 'etl',
      href: '/clusters/etl',
      status: 'Degraded',
      reason: 'etl-w-1: ImagePullBackOff',
      masterCount: 1,
      workerCount: 1,
      workersReady: 0,
      masterUrl: 'spark://etl:7077',
      masterWebUrl: 'http://etl-ui:8080',
      masterWebRoute: 'etl-ui.apps',
      image: 'quay.io/me/spark:custom',
      customImage: true,
      imageSource: 'request',
      createdAt: '2026-01-01T09:00:00Z',
    });
  });

  it('shows the events of one cluster as kubectl describe does, <none> when there are none', () => {
    expect(eventsSection(undefined, NOW)).toBe('Events:  <none>\n');
    expect(eventsSection([], NOW)).toBe('Events:  <none>\n');
    const text = eventsSection(
      [
        {
          time: '2026-01-01T11:58:00Z',
          type: 'Normal',
          reason: 'Scheduled',
          message: 'assigned',
          object: 'Pod/etl-m-1',
        },
        { time: '2026-01-01T11:59:30Z', type: 'Warning', reason: 'Failed', message: 'ErrImagePull' },
      ],
      NOW,
    );
    expect(text.split('\n')).toEqual([
      'Events:',
      '  Type      Reason      Age   From          Message',
      '  ----      ------      ---   ----          -------',
      '  Normal    Scheduled   2m    Pod/etl-m-1   assigned',
      '  Warning   Failed      30s   -             ErrImagePull',
      '',
    ]);
    const details = clusterDetails(model({ events: [] }), NOW, false, { events: true });
    expect(details.trimEnd().endsWith('Events:  <none>')).toBe(true);
    expect(clusterDetails(model(), NOW, false)).not.toContain('Events:');
  });

  it('prints rows one batch at a time, keeping the columns aligned and only ever widening them', () => {
    const table = new TableWriter(['NAME', 'STATUS']);
    expect(table.lines([['a', 'Running']], true)).toBe('NAME   STATUS\na      Running\n');
    expect(table.lines([['b', 'Creating']], false)).toBe('b      Creating\n');
    expect(table.lines([['longer-name', 'x']], false)).toBe('longer-name   x\n');
    expect(table.lines([['c', 'y']], false)).toBe('c             y\n');
  });
});
