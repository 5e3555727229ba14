import { describe, expect, it } from 'vitest';
import { keyProblem, parsePodSettings } from './pod-settings.js';

function refusal(config: Record<string, unknown>): { message: string; field: string | undefined } {
  try {
    parsePodSettings(config);
  } catch (error) {
    return { message: (error as Error).message, field: (error as { field?: string }).field };
  }
  throw new Error('accepted');
}

describe('parsePodSettings', () => {
  it('accepts what Kubernetes accepts and keeps absent fields absent', () => {
    expect(parsePodSettings({})).toEqual({});
    expect(
      parsePodSettings({
        nodeSelector: { 'kubernetes.io/arch': 'amd64', disk: '' },
        labels: { team: 'data', 'example.com/cost-center': 'a-1' },
        annotations: { note: 'anything at all: spaces, / and =' },
        env: [
          { name: 'MODE', value: 'fast' },
          { name: 'TOKEN', secretKeyRef: { name: 'spark-secrets', key: 'token' } },
        ],
      }),
    ).toEqual({
      nodeSelector: { 'kubernetes.io/arch': 'amd64', disk: '' },
      labels: { team: 'data', 'example.com/cost-center': 'a-1' },
      annotations: { note: 'anything at all: spaces, / and =' },
      env: [
        { name: 'MODE', value: 'fast' },
        { name: 'TOKEN', secretKeyRef: { name: 'spark-secrets', key: 'token' } },
      ],
    });
  });

  it('names the field and the value in every refusal', () => {
    expect(refusal({ nodeSelector: ['a'] })).toEqual({
      message: 'invalid config.nodeSelector: expected an object of labels, e.g. {"team": "data"}',
      field: 'config.nodeSelector',
    });
    expect(refusal({ labels: { 'oshinko-cluster': 'x' } })).toEqual({
      message: 'invalid config.labels.oshinko-cluster: "oshinko-cluster" is set by oshinko itself',
      field: 'config.labels.oshinko-cluster',
    });
    expect(refusal({ labels: { team: 'not valid!' } }).field).toBe('config.labels.team');
    expect(refusal({ labels: { team: 'x'.repeat(64) } }).message).toContain('at most 63 characters');
    expect(refusal({ annotations: { 'Bad_Prefix.io/x': 'v' } }).message).toContain('the prefix before /');
    expect(refusal({ annotations: { n: 3 } })).toEqual({
      message: 'invalid config.annotations.n: expected a string, got 3',
      field: 'config.annotations.n',
    });
    expect(refusal({ env: { MODE: 'fast' } }).field).toBe('config.env');
    expect(refusal({ env: [{ name: '1ST', value: 'x' }] })).toEqual({
      message:
        'invalid config.env[0].name: "1ST" is not a valid variable name (letters, digits, _, - and ., not starting with a digit)',
      field: 'config.env[0].name',
    });
    expect(refusal({ env: [{ name: 'POD_IP', value: 'x' }] }).message).toBe(
      'invalid config.env[0].name: POD_IP is set by oshinko itself',
    );
    expect(
      refusal({
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      }).field,
    ).toBe('config.env[1].name');
    expect(refusal({ env: [{ name: 'A' }] }).message).toBe(
      'invalid config.env[0]: give A either a value or a secretKeyRef',
    );
    expect(refusal({ env: [{ name: 'A', secretKeyRef: { name: 'Bad', key: 'k' } }] }).field).toBe(
      'config.env[0].secretKeyRef.name',
    );
    expect(refusal({ env: [{ name: 'A', secretKeyRef: { name: 's', key: 'a/b' } }] }).field).toBe(
      'config.env[0].secretKeyRef.key',
    );
    expect(refusal({ env: [{ name: 'A', value: '1', extra: true }] }).field).toBe('config.env[0].extra');
  });

  it('checks keys as qualified names', () => {
    expect(keyProblem('a')).toBeUndefined();
    expect(keyProblem('example.com/a.b-c_d')).toBeUndefined();
    expect(keyProblem('')).toBeDefined();
    expect(keyProblem('-a')).toBeDefined();
    expect(keyProblem('a'.repeat(64))).toBeDefined();
  });

  it('takes tolerations as Kubernetes does: Equal by default, Exists without a value', () => {
    expect(
      parsePodSettings({
        tolerations: [
          { key: 'dedicated', value: 'spark', effect: 'NoSchedule' },
          { key: 'example.com/gpu', operator: 'Exists' },
          { operator: 'Exists' },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 30,
          },
        ],
      }).tolerations,
    ).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
      { key: 'example.com/gpu', operator: 'Exists' },
      { operator: 'Exists' },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 30,
      },
    ]);
  });

  it('refuses a toleration the API server would refuse, naming the entry and its field', () => {
    expect(refusal({ tolerations: { key: 'a' } }).field).toBe('config.tolerations');
    expect(refusal({ tolerations: [{ key: 'a', effect: 'NoRun' }] })).toEqual({
      message:
        'invalid config.tolerations[0].effect: "NoRun" is not one of NoSchedule, PreferNoSchedule, NoExecute',
      field: 'config.tolerations[0].effect',
    });
    expect(refusal({ tolerations: [{ key: 'a', operator: 'equal' }] }).field).toBe(
      'config.tolerations[0].operator',
    );
    expect(refusal({ tolerations: [{ value: 'x' }] })).toEqual({
      message:
        'invalid config.tolerations[0].operator: a toleration without a key tolerates every taint and must have operator Exists',
      field: 'config.tolerations[0].operator',
    });
    expect(refusal({ tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] }).message).toBe(
      'invalid config.tolerations[0].value: operator Exists takes no value',
    );
    expect(refusal({ tolerations: [{ key: 'a b' }] }).field).toBe('config.tolerations[0].key');
    expect(refusal({ tolerations: [{ key: 'a', value: 'x'.repeat(64) }] }).field).toBe(
      'config.tolerations[0].value',
    );
    expect(refusal({ tolerations: [{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 5 }] }).message).toBe(
      'invalid config.tolerations[0].tolerationSeconds: only a toleration with effect NoExecute has tolerationSeconds',
    );
    expect(refusal({ tolerations: [{ key: 'a', effect: 'NoExecute', tolerationSeconds: 1.5 }] }).field).toBe(
      'config.tolerations[0].tolerationSeconds',
    );
    expect(refusal({ tolerations: [{ key: 'a', taint: 'x' }] }).field).toBe('config.tolerations[0].taint');
  });

  it('takes pull secrets as Secret names, each once', () => {
    expect(parsePodSettings({ imagePullSecrets: ['regcred', 'mirror.pull'] }).imagePullSecrets).toEqual([
      'regcred',
      'mirror.pull',
    ]);
    expect(parsePodSettings({ imagePullSecrets: [] }).imagePullSecrets).toEqual([]);
    expect(refusal({ imagePullSecrets: 'regcred' }).message).toBe(
      'invalid config.imagePullSecrets: expected a list of Secret names, e.g. ["regcred"]',
    );
    expect(refusal({ imagePullSecrets: ['ok', 'Reg_Cred'] })).toEqual({
      message:
        'invalid config.imagePullSecrets[1]: "Reg_Cred" is not a valid Secret name (a DNS subdomain: lowercase letters, digits, - and ., at most 253 characters)',
      field: 'config.imagePullSecrets[1]',
    });
    expect(refusal({ imagePullSecrets: ['a', 'a'] }).field).toBe('config.imagePullSecrets[1]');
    expect(refusal({ imagePullSecrets: Array.from({ length: 17 }, (_, i) => `s${String(i)}`) }).message).toBe(
      'invalid config.imagePullSecrets: at most 16 Secrets, got 17',
    );
  });
});
