import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../core/errors.js';
import {
  parseClusterName,
  parseConfigName,
  parseCount,
  parseDuration,
  parseImage,
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
});
