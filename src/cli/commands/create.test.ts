import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { newClusterRequest } from './create.js';

const DEFAULTS = { timeout: '5m', interval: '1s' };

describe('create: flags to request', () => {
  it('sends only what was given, under the upstream field names', () => {
    expect(newClusterRequest('spark1', DEFAULTS)).toEqual({ name: 'spark1' });
    expect(
      newClusterRequest('spark1', {
        ...DEFAULTS,
        workers: '3',
        masters: '0',
        image: 'quay.io/me/spark:3.5',
        storedconfig: 'small',
        masterconfig: 'master-conf',
        workerconfig: 'worker-conf',
        exposeui: 'false',
        metrics: 'prometheus',
      }),
    ).toEqual({
      name: 'spark1',
      config: {
        name: 'small',
        masterCount: 0,
        workerCount: 3,
        sparkImage: 'quay.io/me/spark:3.5',
        sparkMasterConfig: 'master-conf',
        sparkWorkerConfig: 'worker-conf',
        exposeWebUI: 'false',
        metrics: 'prometheus',
      },
    });
  });

  it('takes the kebab-case spellings of the upstream flags, naming the one given in errors', () => {
    const kebab = newClusterRequest('spark1', {
      ...DEFAULTS,
      storedConfig: 'small',
      masterConfig: 'master-conf',
      workerConfig: 'worker-conf',
      exposeUi: 'false',
    });
    expect(kebab.config).toEqual({
      name: 'small',
      sparkMasterConfig: 'master-conf',
      sparkWorkerConfig: 'worker-conf',
      exposeWebUI: 'false',
    });
    expect(() => newClusterRequest('spark1', { ...DEFAULTS, storedConfig: 'No Such' })).toThrow(
      'invalid --stored-config "No Such"',
    );
    expect(() => newClusterRequest('spark1', { ...DEFAULTS, masterconfig: 'Bad_' })).toThrow(
      'invalid --masterconfig "Bad_"',
    );
  });

  it('refuses both spellings of one flag', () => {
    for (const [upstream, kebab, flags] of [
      ['storedconfig', 'storedConfig', '--storedconfig or --stored-config'],
      ['masterconfig', 'masterConfig', '--masterconfig or --master-config'],
      ['workerconfig', 'workerConfig', '--workerconfig or --worker-config'],
      ['exposeui', 'exposeUi', '--exposeui or --expose-ui'],
    ] as const) {
      const both = { ...DEFAULTS, [upstream]: 'true', [kebab]: 'true' };
      expect(() => newClusterRequest('spark1', both)).toThrow(InvalidInputError);
      expect(() => newClusterRequest('spark1', both)).toThrow(`give ${flags}, not both`);
    }
  });

  it('keeps zero workers as zero', () => {
    expect(newClusterRequest('spark1', { ...DEFAULTS, workers: '0' }).config?.workerCount).toBe(0);
  });

  it('sends the Kubernetes pod settings under the request field names', () => {
    expect(
      newClusterRequest('spark1', {
        ...DEFAULTS,
        imagePullPolicy: 'IfNotPresent',
        runAsUser: '1001',
        masterCpu: '500m',
        masterMemory: '1Gi',
        workerCpu: '2',
        workerMemory: '4Gi',
        nodeSelector: ['disktype=ssd', 'zone=eu-1a'],
        label: ['team=data'],
        annotation: ['example.com/owner=ana', 'note=a=b, c'],
        env: ['MODE=fast', 'EMPTY='],
        envFromSecret: ['TOKEN=creds:token'],
      }).config,
    ).toEqual({
      imagePullPolicy: 'IfNotPresent',
      runAsUser: 1001,
      masterResources: { cpu: '500m', memory: '1Gi' },
      workerResources: { cpu: '2', memory: '4Gi' },
      nodeSelector: { disktype: 'ssd', zone: 'eu-1a' },
      labels: { team: 'data' },
      annotations: { 'example.com/owner': 'ana', note: 'a=b, c' },
      env: [
        { name: 'MODE', value: 'fast' },
        { name: 'EMPTY', value: '' },
        { name: 'TOKEN', secretKeyRef: { name: 'creds', key: 'token' } },
      ],
    });
  });

  it('sends pull secrets and tolerations, kubectl taint syntax read as the toleration it needs', () => {
    expect(
      newClusterRequest('spark1', {
        ...DEFAULTS,
        imagePullSecret: ['regcred', 'other'],
        toleration: ['dedicated=spark:NoSchedule', 'gpu:NoExecute', 'empty=:PreferNoSchedule'],
      }).config,
    ).toEqual({
      imagePullSecrets: ['regcred', 'other'],
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
        { key: 'gpu', operator: 'Exists', effect: 'NoExecute' },
        { key: 'empty', operator: 'Equal', effect: 'PreferNoSchedule' },
      ],
    });
  });

  it('sends one resource of a role without the other, and nothing for empty repeatable flags', () => {
    const config = newClusterRequest('spark1', {
      ...DEFAULTS,
      workerMemory: '2Gi',
      nodeSelector: [],
      label: [],
      annotation: [],
      env: [],
      envFromSecret: [],
    }).config;
    expect(config).toEqual({ workerResources: { memory: '2Gi' } });
  });

  it.each([
    [
      { imagePullPolicy: 'always' },
      'invalid --image-pull-policy "always": expected one of Always, IfNotPresent, Never',
    ],
    [
      { runAsUser: 'spark' },
      'invalid --run-as-user "spark": expected a UID from 1 to 2147483647, or "image"',
    ],
    [{ masterCpu: 'two' }, 'invalid --master-cpu "two": expected a Kubernetes quantity above zero'],
    [{ masterCpu: '0' }, 'invalid --master-cpu "0"'],
    [{ masterMemory: '100Mi' }, 'invalid --master-memory "100Mi": the master needs at least 171Mi'],
    [{ workerCpu: '-1' }, 'invalid --worker-cpu "-1"'],
    [{ workerMemory: '512Mi' }, 'invalid --worker-memory "512Mi": a worker keeps 512 MiB'],
    [{ workerMemory: '4GB' }, 'invalid --worker-memory "4GB": expected a Kubernetes quantity'],
    [{ nodeSelector: ['disktype'] }, 'invalid --node-selector "disktype": expected KEY=VALUE'],
    [{ nodeSelector: ['=ssd'] }, 'invalid --node-selector "=ssd": expected KEY=VALUE'],
    [
      { nodeSelector: ['disk type=ssd'] },
      'invalid --node-selector "disk type=ssd": "disk type" is not a valid key',
    ],
    [{ nodeSelector: ['disktype=fast ssd'] }, '"fast ssd" is not a valid label value'],
    [{ nodeSelector: ['a=1', 'a=2'] }, 'invalid --node-selector "a=2": a is given twice'],
    [
      { label: ['oshinko-cluster=x'] },
      'invalid --label "oshinko-cluster=x": "oshinko-cluster" is set by oshinko itself',
    ],
    [
      { label: ['team=data science'] },
      'invalid --label "team=data science": "data science" is not a valid label value',
    ],
    [
      { annotation: ['Bad_Prefix/x=1'] },
      'invalid --annotation "Bad_Prefix/x=1": "Bad_Prefix/x" is not a valid key',
    ],
    [{ annotation: ['app.kubernetes.io/name=x'] }, 'is set by oshinko itself'],
    [{ env: ['MODE'] }, 'invalid --env "MODE": expected NAME=VALUE'],
    [{ env: ['1MODE=x'] }, 'invalid --env "1MODE=x": "1MODE" is not a valid variable name'],
    [{ env: ['POD_IP=1.2.3.4'] }, 'invalid --env "POD_IP=1.2.3.4": POD_IP is set by oshinko itself'],
    [{ env: ['A=1', 'A=2'] }, 'invalid --env "A=2": A is given twice'],
    [{ envFromSecret: ['TOKEN=creds'] }, 'invalid --env-from-secret "TOKEN=creds": expected NAME=SECRET:KEY'],
    [{ envFromSecret: ['TOKEN=creds:'] }, 'expected NAME=SECRET:KEY'],
    [
      { envFromSecret: ['TOKEN=Creds:token'] },
      'invalid --env-from-secret "TOKEN=Creds:token": "Creds" is not a valid Secret name',
    ],
    [{ envFromSecret: ['TOKEN=creds:to ken'] }, '"to ken" is not a valid Secret key'],
    [
      { env: ['TOKEN=x'], envFromSecret: ['TOKEN=creds:token'] },
      'invalid --env-from-secret "TOKEN=creds:token": TOKEN is given twice',
    ],
    [
      { imagePullSecret: ['RegCred'] },
      'invalid --image-pull-secret "RegCred": "RegCred" is not a valid Secret name',
    ],
    [
      { imagePullSecret: ['regcred', 'regcred'] },
      'invalid --image-pull-secret "regcred": regcred is given twice',
    ],
    [
      { imagePullSecret: Array.from({ length: 17 }, (_, i) => `s${String(i)}`) },
      'invalid --image-pull-secret "s16": at most 16 Secrets',
    ],
    [
      { toleration: ['dedicated=spark'] },
      'invalid --toleration "dedicated=spark": expected KEY[=VALUE]:EFFECT, e.g. dedicated=spark:NoSchedule',
    ],
    [{ toleration: [':NoSchedule'] }, 'invalid --toleration ":NoSchedule": expected KEY[=VALUE]:EFFECT'],
    [
      { toleration: ['=spark:NoSchedule'] },
      'invalid --toleration "=spark:NoSchedule": expected KEY[=VALUE]:EFFECT',
    ],
    [{ toleration: ['dedicated:'] }, 'expected KEY[=VALUE]:EFFECT'],
    [
      { toleration: ['dedicated=spark:NoSchedul'] },
      'invalid --toleration "dedicated=spark:NoSchedul": "NoSchedul" is not one of NoSchedule, PreferNoSchedule, NoExecute',
    ],
    [{ toleration: ['bad key:NoSchedule'] }, '"bad key" is not a valid taint key'],
    [{ toleration: ['dedicated=two words:NoSchedule'] }, '"two words" is not a valid label value'],
  ])('refuses %j before sending it', (flags, message) => {
    expect(() => newClusterRequest('spark1', { ...DEFAULTS, ...flags })).toThrow(InvalidInputError);
    expect(() => newClusterRequest('spark1', { ...DEFAULTS, ...flags })).toThrow(message);
  });
});
