import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../core/errors.js';
import {
  collect,
  parseClusterName,
  parseConfigName,
  parseCount,
  parseDuration,
  parseEnvFlags,
  parseImage,
  parseKeyValueFlags,
  parsePairs,
  parseRoleResources,
  parseServerUrl,
} from './flags.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('CLI flag parsers', () => {
  it('parses counts and names the flag and value when they are wrong', () => {
    expect(parseCount('3', '--workers', 10)).toBe(3);
    expect(parseCount(' 0 ', '--workers', 10)).toBe(0);
    expect(messageOf(() => parseCount('abc', '--workers', 10))).toBe(
      'invalid --workers "abc": expected a whole number from 0 to 10',
    );
    expect(messageOf(() => parseCount('-1', '--workers', 10))).toContain('--workers "-1"');
    expect(messageOf(() => parseCount('2', '--masters', 1))).toContain('--masters "2"');
    expect(messageOf(() => parseCount('1.5', '--workers', 10))).toContain('"1.5"');
  });

  it('parses durations', () => {
    expect(parseDuration('90', '--timeout')).toBe(90_000);
    expect(parseDuration('30s', '--timeout')).toBe(30_000);
    expect(parseDuration('5m', '--timeout')).toBe(300_000);
    expect(parseDuration('1h30m', '--timeout')).toBe(5_400_000);
    expect(parseDuration('250ms', '--interval')).toBe(250);
    expect(messageOf(() => parseDuration('soon', '--timeout'))).toBe(
      'invalid --timeout "soon": expected a duration such as 30s, 5m, 1h30m or 500ms',
    );
    expect(messageOf(() => parseDuration('0s', '--timeout'))).toContain('greater than zero');
    expect(messageOf(() => parseDuration('5 m', '--timeout'))).toContain('--timeout "5 m"');
  });

  it('checks cluster names, config names and images as the server does', () => {
    expect(parseClusterName('spark-1')).toBe('spark-1');
    expect(messageOf(() => parseClusterName('Spark_1'))).toContain('invalid NAME "Spark_1"');
    expect(parseConfigName('small.config', '--storedconfig')).toBe('small.config');
    expect(messageOf(() => parseConfigName('Bad Name', '--storedconfig'))).toContain(
      'invalid --storedconfig "Bad Name"',
    );
    expect(parseImage('quay.io/me/spark:3.5', '--image')).toBe('quay.io/me/spark:3.5');
    expect(messageOf(() => parseImage('Quay.io/Me/Spark', '--image'))).toContain(
      'invalid --image "Quay.io/Me/Spark"',
    );
  });

  it('accepts http(s) server URLs only', () => {
    expect(parseServerUrl('http://127.0.0.1:8080/', '--server')).toBe('http://127.0.0.1:8080');
    expect(parseServerUrl('https://oshinko.example/api', 'OSHINKO_SERVER')).toBe(
      'https://oshinko.example/api',
    );
    expect(messageOf(() => parseServerUrl('localhost:8080', '--server'))).toContain('invalid --server');
    expect(messageOf(() => parseServerUrl('not a url', 'OSHINKO_SERVER'))).toContain(
      'invalid OSHINKO_SERVER',
    );
    expect(messageOf(() => parseServerUrl('http://x/?a=1', '--server'))).toContain('query');
  });

  it('collects a repeatable flag in order and splits KEY=VALUE at the first =', () => {
    expect(collect('b', collect('a', []))).toEqual(['a', 'b']);
    expect(parsePairs(['a=1', 'b=x=y'], '--conf')).toEqual({ a: '1', b: 'x=y' });
    expect(messageOf(() => parsePairs(['=1'], '--conf'))).toBe('invalid --conf "=1": expected KEY=VALUE');
  });

  it("checks each role's CPU and memory by the server's rules, naming the flag", () => {
    expect(parseRoleResources('master', undefined, undefined)).toBeUndefined();
    expect(parseRoleResources('master', '1.5', undefined)).toEqual({ cpu: '1.5' });
    expect(parseRoleResources('worker', ' 2 ', '1536Mi')).toEqual({ cpu: '2', memory: '1536Mi' });
    expect(messageOf(() => parseRoleResources('master', '0.0001', undefined))).toBe(
      'invalid --master-cpu "0.0001": the smallest CPU is 1m',
    );
    expect(messageOf(() => parseRoleResources('worker', undefined, '2gi'))).toContain(
      'invalid --worker-memory "2gi": expected a Kubernetes quantity above zero, e.g. "4Gi" or "1536Mi"',
    );
    // A worker must keep 854Mi to offer anything; a master 171Mi: the role decides.
    expect(parseRoleResources('master', undefined, '800Mi')).toEqual({ memory: '800Mi' });
    expect(messageOf(() => parseRoleResources('worker', undefined, '800Mi'))).toContain(
      'give at least 854Mi',
    );
  });

  it('turns repeated KEY=VALUE flags into a map checked as the field it becomes', () => {
    expect(parseKeyValueFlags([], 'nodeSelector')).toBeUndefined();
    expect(parseKeyValueFlags(['kubernetes.io/arch=amd64', 'empty='], 'nodeSelector')).toEqual({
      'kubernetes.io/arch': 'amd64',
      empty: '',
    });
    // Annotation values are free text; label values are not.
    expect(parseKeyValueFlags(['note=any text: at all'], 'annotations')).toEqual({
      note: 'any text: at all',
    });
    expect(messageOf(() => parseKeyValueFlags(['note=any text'], 'labels'))).toContain(
      'invalid --label "note=any text": "any text" is not a valid label value',
    );
    // A node selector may name oshinko's label keys: they are the nodes', not the pods'.
    expect(parseKeyValueFlags(['app.kubernetes.io/name=x'], 'nodeSelector')).toEqual({
      'app.kubernetes.io/name': 'x',
    });
    expect(messageOf(() => parseKeyValueFlags(['app.kubernetes.io/name=x'], 'labels'))).toContain(
      'is set by oshinko itself',
    );
    expect(messageOf(() => parseKeyValueFlags(['x=1', 'x=1'], 'annotations'))).toBe(
      'invalid --annotation "x=1": x is given twice',
    );
  });

  it('turns --env and --env-from-secret into config.env, plain values first', () => {
    expect(parseEnvFlags([], [])).toBeUndefined();
    expect(parseEnvFlags(['B=x=1'], ['A=creds:api.key'])).toEqual([
      { name: 'B', value: 'x=1' },
      { name: 'A', secretKeyRef: { name: 'creds', key: 'api.key' } },
    ]);
    expect(messageOf(() => parseEnvFlags([], ['A=creds:k:x']))).toContain('"k:x" is not a valid Secret key');
    expect(messageOf(() => parseEnvFlags(['SPARK_MASTER_ADDRESS=x'], []))).toBe(
      'invalid --env "SPARK_MASTER_ADDRESS=x": SPARK_MASTER_ADDRESS is set by oshinko itself',
    );
    expect(messageOf(() => parseEnvFlags([], [':creds:key']))).toBe(
      'invalid --env-from-secret ":creds:key": expected NAME=SECRET:KEY, e.g. TOKEN=creds:token',
    );
  });
});
