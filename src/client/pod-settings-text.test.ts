import { describe, expect, it } from 'vitest';
import {
  formatEnvVar,
  formatPairs,
  formatResources,
  formatToleration,
  parseEnvEntries,
  parsePairEntries,
  parsePullSecretEntries,
  parseTolerationEntries,
  quantityProblem,
  resourcesOf,
} from './pod-settings-text.js';

describe('pod settings as text', () => {
  it('says where the first wrong entry is and why, in the words of the server', () => {
    expect(parsePairEntries(['a=1', 'b', 'c=3'], 'nodeSelector')).toEqual({
      ok: false,
      list: 'nodeSelector',
      index: 1,
      entry: 'b',
      problem: 'expected KEY=VALUE',
    });
    expect(parsePairEntries(['team=x y'], 'labels')).toMatchObject({
      ok: false,
      index: 0,
      problem: expect.stringMatching(/^"x y" is not a valid label value/) as unknown,
    });
    expect(parsePairEntries([], 'annotations')).toEqual({ ok: true, value: undefined });
  });

  it('tells which of the two env lists holds a clash', () => {
    expect(parseEnvEntries(['A=1'], ['B=s:k', 'A=s:k'])).toMatchObject({
      ok: false,
      list: 'envFromSecret',
      index: 1,
      problem: 'A is given twice',
    });
    expect(parseEnvEntries(['A=1', 'POD_IP=x'], [])).toMatchObject({
      ok: false,
      list: 'env',
      index: 1,
      problem: 'POD_IP is set by oshinko itself',
    });
    expect(parseEnvEntries([], [])).toEqual({ ok: true, value: undefined });
  });

  it('checks quantities per role and keeps only what was typed', () => {
    expect(quantityProblem('worker', 'cpu', '500m')).toBeUndefined();
    expect(quantityProblem('worker', 'memory', '600Mi')).toContain('give at least 854Mi');
    expect(quantityProblem('master', 'cpu', 'lots')).toMatch(/^expected a Kubernetes quantity above zero/);
    expect(resourcesOf(' 2 ', '')).toEqual({ cpu: '2' });
    expect(resourcesOf(undefined, ' ')).toBeUndefined();
  });

  it('reads back as it was typed', () => {
    expect(formatResources({ cpu: '2', memory: '4Gi' })).toBe('cpu 2, memory 4Gi');
    expect(formatPairs({ a: '1', b: '' })).toEqual(['a=1', 'b=']);
    expect(formatEnvVar({ name: 'T', secretKeyRef: { name: 'creds', key: 'token' } })).toBe(
      'T from Secret creds:token',
    );
  });

  it('reads tolerations as kubectl writes taints and writes them back so', () => {
    const typed = ['dedicated=spark:NoSchedule', 'gpu:NoExecute'];
    const parsed = parseTolerationEntries(typed);
    expect(parsed).toEqual({
      ok: true,
      value: [
        { key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
        { key: 'gpu', operator: 'Exists', effect: 'NoExecute' },
      ],
    });
    expect(parsed.ok && parsed.value?.map(formatToleration)).toEqual(typed);
    expect(formatToleration({ operator: 'Exists' })).toBe('every taint');
    expect(formatToleration({ key: 'k', value: 'v', effect: 'NoExecute', tolerationSeconds: 30 })).toBe(
      'k=v:NoExecute for 30s',
    );
    expect(parseTolerationEntries(['a:NoSchedule', 'b'])).toMatchObject({ ok: false, index: 1 });
  });

  it('checks pull secret names', () => {
    expect(parsePullSecretEntries(['regcred', 'other'])).toEqual({ ok: true, value: ['regcred', 'other'] });
    expect(parsePullSecretEntries(['a', 'Bad'])).toMatchObject({
      ok: false,
      list: 'imagePullSecrets',
      index: 1,
      problem: expect.stringMatching(/^"Bad" is not a valid Secret name/) as unknown,
    });
  });
});
