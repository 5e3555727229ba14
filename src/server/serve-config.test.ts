import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../core/errors.js';
import { parseServeConfig } from './serve-config.js';
import { serve } from './serve.js';

describe('parseServeConfig', () => {
  it('has safe defaults', () => {
    const config = parseServeConfig({ driver: 'local' }, { HOME: '/home/u', XDG_DATA_HOME: '/data' });
    expect(config).toMatchObject({
      driver: 'local',
      host: '127.0.0.1',
      port: 8080,
      defaultImage: undefined,
      oshinkoHome: join('/data', 'oshinko'),
      token: undefined,
      corsOrigins: [],
      allowCustomImages: true,
      requestTimeoutMs: 120_000,
      kubeRequestTimeoutMs: 30_000,
      kubeWatch: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ driver: 'docker' }, {}, '--driver "docker"'],
    [{ port: '80a' }, {}, '--port "80a"'],
    [{ port: '70000' }, {}, '--port "70000"'],
    [{}, { OSHINKO_PORT: '80a' }, 'OSHINKO_PORT "80a"'],
    [{ defaultImage: 'Bad Image' }, {}, '--default-image'],
    [{}, { OSHINKO_CLUSTER_IMAGE: 'upper/Case' }, 'OSHINKO_CLUSTER_IMAGE'],
    [{}, { OSHINKO_MAX_WORKERS: '-1' }, 'OSHINKO_MAX_WORKERS "-1"'],
    [{}, { OSHINKO_ALLOW_CUSTOM_IMAGES: 'maybe' }, 'OSHINKO_ALLOW_CUSTOM_IMAGES "maybe"'],
    [{ tokenFile: '/nonexistent/token' }, {}, 'cannot read --token-file'],
    [{}, { OSHINKO_REQUEST_TIMEOUT_MS: '5s' }, 'OSHINKO_REQUEST_TIMEOUT_MS "5s"'],
    [{}, { OSHINKO_KUBE_REQUEST_TIMEOUT_MS: '10' }, 'OSHINKO_KUBE_REQUEST_TIMEOUT_MS "10"'],
    [{}, { OSHINKO_KUBE_WATCH: 'sometimes' }, 'OSHINKO_KUBE_WATCH "sometimes"'],
    [
      { logLevel: 'loud' },
      {},
      'invalid --log-level "loud": expected one of silent, fatal, error, warn, info',
    ],
    [{}, { OSHINKO_LOG_LEVEL: 'WARN' }, 'invalid OSHINKO_LOG_LEVEL "WARN": expected one of'],
    [
      { host: 'http://0.0.0.0' },
      {},
      'invalid --host "http://0.0.0.0": expected an IP address or a host name',
    ],
    [{}, { OSHINKO_HOST: '0.0.0.0:8080' }, 'invalid OSHINKO_HOST "0.0.0.0:8080"'],
    [{}, { OSHINKO_HOST: 'my host' }, 'invalid OSHINKO_HOST "my host"'],
    [
      {},
      { OSHINKO_IMAGE_PULL_SECRETS: 'regcred' },
      'OSHINKO_IMAGE_PULL_SECRETS "regcred" is for the Kubernetes driver',
    ],
    [{}, { OSHINKO_RUN_AS_USER: '185' }, 'OSHINKO_RUN_AS_USER "185" is for the Kubernetes driver'],
  ])('names the bad setting %j %j', (flags, env, message) => {
    expect(() => parseServeConfig({ driver: 'local', ...flags }, env)).toThrow(message);
  });

  it('names OSHINKO_DRIVER when the bad driver came from it, and reads an empty one as unset', () => {
    expect(() => parseServeConfig({}, { OSHINKO_DRIVER: 'docker' })).toThrow(
      'invalid OSHINKO_DRIVER "docker": expected kubernetes or local',
    );
    expect(parseServeConfig({}, { OSHINKO_DRIVER: 'local' }).driverFrom).toBe('OSHINKO_DRIVER');
    expect(parseServeConfig({ driver: 'local' }, { OSHINKO_DRIVER: 'kubernetes' })).toMatchObject({
      driver: 'local',
      driverFrom: '--driver',
    });
    expect(parseServeConfig({}, { OSHINKO_DRIVER: '', KUBECONFIG: '/x' })).toMatchObject({
      driver: 'kubernetes',
      driverFrom: 'detected',
    });
  });

  it('takes the listen addresses and log levels a server may have', () => {
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', '10.1.2.3', 'oshinko.example.com']) {
      expect(parseServeConfig({ driver: 'local', host }, {}).host).toBe(host);
    }
    expect(parseServeConfig({ driver: 'local' }, { OSHINKO_HOST: '' }).host).toBe('127.0.0.1');
    for (const level of ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']) {
      expect(parseServeConfig({ driver: 'local' }, { OSHINKO_LOG_LEVEL: level }).logLevel).toBe(level);
    }
    expect(
      parseServeConfig({ driver: 'local', logLevel: 'debug' }, { OSHINKO_LOG_LEVEL: 'warn' }).logLevel,
    ).toBe('debug');
  });

  it('reads the default pull secrets of the Kubernetes driver and names a bad one', () => {
    const kube = (value: string) =>
      parseServeConfig({ driver: 'kubernetes' }, { OSHINKO_IMAGE_PULL_SECRETS: value }).imagePullSecrets;
    expect(kube('regcred, mirror')).toEqual(['regcred', 'mirror']);
    expect(kube('')).toEqual([]);
    expect(() => kube('ok,Not_A_Name')).toThrow(
      'invalid OSHINKO_IMAGE_PULL_SECRETS[1]: "Not_A_Name" is not a valid Secret name',
    );
  });

  it('reads the default UID of the Kubernetes driver, or image, and stops at a bad one naming it', () => {
    const kube = (value: string | undefined) =>
      parseServeConfig({ driver: 'kubernetes' }, { OSHINKO_RUN_AS_USER: value }).runAsUser;
    expect(kube(undefined)).toBeUndefined();
    expect(kube('')).toBeUndefined();
    expect(kube('1001')).toBe(1001);
    expect(kube('image')).toBe('image');
    for (const bad of ['0', 'spark', '-5', '2147483648']) {
      expect(() => kube(bad)).toThrow(ConfigurationError);
      expect(() => kube(bad)).toThrow(`invalid OSHINKO_RUN_AS_USER ${JSON.stringify(bad)}: expected a UID`);
    }
  });

  it("says when OSHINKO_PORT is a Kubernetes service link of a Service named oshinko, not the server's setting", () => {
    // The kubelet gives every pod OSHINKO_PORT=tcp://<ip>:<port> for such a Service, unless enableServiceLinks is false.
    expect(() => parseServeConfig({ driver: 'local' }, { OSHINKO_PORT: 'tcp://10.96.0.10:8080' })).toThrow(
      /OSHINKO_PORT "tcp:\/\/10\.96\.0\.10:8080".*service link.*Service named oshinko.*enableServiceLinks: false/,
    );
    // The --port flag wins over the environment, a service link included.
    expect(
      parseServeConfig({ driver: 'local', port: '9090' }, { OSHINKO_PORT: 'tcp://10.96.0.10:8080' }).port,
    ).toBe(9090);
  });

  it('reads the token from a file and the image policy from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oshinko-config-'));
    writeFileSync(join(dir, 'token'), 'abc123\n');
    const config = parseServeConfig(
      { driver: 'local', tokenFile: join(dir, 'token') },
      {
        OSHINKO_ALLOWED_IMAGES: 'quay.io/team/**, docker.io/apache/spark:*',
        OSHINKO_CORS_ORIGINS: 'https://a.example',
      },
    );
    expect(config.token).toBe('abc123');
    expect(config.allowedImages).toEqual(['quay.io/team/**', 'docker.io/apache/spark:*']);
    expect(config.corsOrigins).toEqual(['https://a.example']);
  });

  it('refuses to listen on a non-loopback address without a token', async () => {
    const config = parseServeConfig({ driver: 'local', host: '0.0.0.0' }, {});
    await expect(serve(config)).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
  });
});
