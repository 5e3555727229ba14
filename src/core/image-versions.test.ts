import { describe, expect, it } from 'vitest';
import { minorOf, parsePythonVersion, parseSparkBanner, versionMismatches } from './image-versions.js';

describe('parseSparkBanner', () => {
  it('reads the Spark, Scala and Java versions, after any warnings', () => {
    const banner = [
      'WARNING: Using incubator modules: jdk.incubator.vector',
      '   /___/ .__/\\_,_/_/ /_/\\_\\   version 3.5.3',
      'Using Scala version 2.12.18, OpenJDK 64-Bit Server VM, 17.0.12',
      'Type --help for more information.',
    ];
    expect(parseSparkBanner(banner)).toEqual({ spark: '3.5.3', scala: '2.12.18', java: '17.0.12' });
  });

  it('leaves out what it does not find', () => {
    expect(parseSparkBanner(['something else', ''])).toEqual({});
  });
});

describe('parsePythonVersion and minorOf', () => {
  it('reads python3 --version and cuts a version to major.minor', () => {
    expect(parsePythonVersion('Python 3.11.2\n')).toBe('3.11.2');
    expect(parsePythonVersion('python3: not found')).toBeUndefined();
    expect(minorOf('3.11.2')).toBe('3.11');
    expect(minorOf('4.0.0-preview2')).toBe('4.0');
    expect(minorOf('17')).toBe('17');
  });
});

describe('versionMismatches', () => {
  const cluster = { spark: '3.5.3', scala: '2.12.18', java: '17.0.12', python: '3.11.2' };

  it('accepts equal major.minor versions and any Java', () => {
    expect(
      versionMismatches(cluster, { spark: '3.5.1', scala: '2.12.17', java: '21', python: '3.11.9' }, true),
    ).toEqual([]);
  });

  it('names each version that differs, with what the cluster needs', () => {
    expect(versionMismatches(cluster, { spark: '4.0.1', scala: '2.13.16', python: '3.12.1' }, true)).toEqual([
      'Spark 4.0.1 here, 3.5.3 in the cluster (3.5.x needed)',
      'Scala 2.13.16 here, 2.12.18 in the cluster (2.12.x needed)',
      'Python 3.12.1 here, 3.11.2 in the cluster (3.11.x needed)',
    ]);
  });

  it('ignores Python for a JVM application, and what either side does not know', () => {
    expect(versionMismatches(cluster, { spark: '3.5.0', python: '3.12.1' }, false)).toEqual([]);
    expect(versionMismatches({}, { spark: '4.0.1' }, true)).toEqual([]);
  });
});
