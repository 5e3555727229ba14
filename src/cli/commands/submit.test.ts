import { describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../client/oshinko-client.js';
import { checkVersions, isPythonApp, submitArgs } from './submit.js';

function cluster(overrides: Partial<ClusterModel> = {}): ClusterModel {
  return {
    name: 'etl',
    href: '/clusters/etl',
    status: 'Running',
    config: {
      masterCount: 1,
      workerCount: 1,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'quay.io/me/spark:3.5.3',
      exposeWebUI: 'true',
      metrics: 'false',
    },
    image: 'quay.io/me/spark:3.5.3',
    customImage: true,
    imageSource: 'request',
    sparkVersion: '3.5.3',
    scalaVersion: '2.12.18',
    javaVersion: '17.0.12',
    pythonVersion: '3.11.2',
    masterUrl: 'spark://etl:7077',
    masterWebUrl: 'http://etl-ui:8080',
    masters: { desired: 1, ready: 1 },
    workers: { desired: 1, ready: 1 },
    pods: [],
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('submitArgs', () => {
  it('submits in client mode to the master, properties before the app, its arguments after', () => {
    expect(
      submitArgs('spark://etl:7077', { 'spark.executor.memory': '2g' }, 'job.py', ['in', '--out=x']),
    ).toEqual([
      '--master',
      'spark://etl:7077',
      '--deploy-mode',
      'client',
      '--conf',
      'spark.executor.memory=2g',
      'job.py',
      'in',
      '--out=x',
    ]);
  });
});

describe('isPythonApp', () => {
  it('tells PySpark applications from jars', () => {
    expect(isPythonApp('job.py')).toBe(true);
    expect(isPythonApp('deps.zip')).toBe(true);
    expect(isPythonApp('job.jar')).toBe(false);
  });
});

describe('checkVersions', () => {
  it('lets equal major.minor versions through', () => {
    expect(() => {
      checkVersions(cluster(), { spark: '3.5.1', scala: '2.12.17', python: '3.11.9' }, true);
    }).not.toThrow();
  });

  it('refuses other Spark or Python versions, saying what the cluster needs and how to go on', () => {
    expect(() => {
      checkVersions(cluster(), { spark: '4.0.1', scala: '2.13.16', python: '3.12.1' }, true);
    }).toThrow(
      'the versions here do not fit cluster "etl": Spark 4.0.1 here, 3.5.3 in the cluster (3.5.x needed); Scala 2.13.16 here, 2.12.18 in the cluster (2.12.x needed); Python 3.12.1 here, 3.11.2 in the cluster (3.11.x needed). Submit with a Spark 3.5.3 client (--spark-home, SPARK_HOME) and Python 3.11.2 (PYSPARK_PYTHON), or pass --skip-version-check',
    );
  });

  it('does not hold Python against a JVM application', () => {
    expect(() => {
      checkVersions(cluster(), { spark: '3.5.3', python: '3.12.1' }, false);
    }).not.toThrow();
  });
});
