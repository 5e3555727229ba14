import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ClusterService } from '../core/cluster-service.js';
import type { ClusterDriver } from '../core/driver.js';
import { OPEN_IMAGE_POLICY } from '../core/image-policy.js';
import { buildApp } from './app.js';
import { tokenMatches } from './auth.js';

/** A driver that must never be reached: every test here is answered before the service is used. */
const unreachable = new Proxy({} as ClusterDriver, {
  get(_target, property) {
    if (property === 'kind') return 'local';
    if (property === 'defaultImage') return 'spark:test';
    if (property === 'describe') return () => ({});
    if (property === 'then') return undefined;
    throw new Error(
      `the driver was reached (${String(property)}) although the request should have been refused`,
    );
  },
});

describe('bearer token', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const service = new ClusterService(unreachable, {
      defaultImage: 'spark:test',
      maxWorkers: 10,
      maxClusters: 10,
      imagePolicy: OPEN_IMAGE_POLICY,
    });
    app = await buildApp({ service, version: 'test', token: 's3cret-token' });
  });
  afterAll(async () => app.close());

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('abc', '')).toBe(false);
  });

  it.each([
    ['GET', '/clusters'],
    ['POST', '/clusters'],
    ['GET', '/clusters/a'],
    ['PUT', '/clusters/a'],
    ['DELETE', '/clusters/a'],
    ['GET', '/'],
    ['GET', '/images'],
    ['GET', '/metrics'],
    ['GET', '/openapi.json'],
  ] as const)('refuses %s %s without a token, with the error envelope', async (method, url) => {
    const response = await app.inject({
      method,
      url,
      payload: method === 'POST' || method === 'PUT' ? { name: 'a' } : undefined,
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.json()).toEqual({
      errors: [
        {
          status: 401,
          title: 'unauthorized',
          details: expect.stringContaining('bearer token') as string,
          code: 'unauthorized',
        },
      ],
    });
  });

  it('refuses a wrong token and accepts the right one', async () => {
    const wrong = await app.inject({
      url: '/openapi.json',
      headers: { authorization: 'Bearer s3cret-tokeN' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({
      errors: [{ details: 'the bearer token is not valid for this server' }],
    });
    const right = await app.inject({
      url: '/openapi.json',
      headers: { authorization: 'Bearer s3cret-token' },
    });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toHaveProperty('openapi');
  });

  it('keeps probes open', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
