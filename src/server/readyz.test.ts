import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { InMemoryDriver } from '../../test/support/in-memory-driver.js';
import { ClusterService } from '../core/cluster-service.js';
import { BackendUnavailableError } from '../core/errors.js';
import { OPEN_IMAGE_POLICY } from '../core/image-policy.js';
import { buildApp } from './app.js';

const TOKEN = 's3cret-token';
const BACKEND_WORDS = 'connect ECONNREFUSED 10.96.0.1:443';

describe('/readyz', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(token: string | undefined): Promise<{ app: FastifyInstance; driver: InMemoryDriver }> {
    const driver = new InMemoryDriver();
    const service = new ClusterService(driver, {
      defaultImage: driver.defaultImage,
      maxWorkers: 10,
      maxClusters: 10,
      imagePolicy: OPEN_IMAGE_POLICY,
    });
    app = await buildApp({ service, version: 'test', token });
    return { app, driver };
  }

  const readyz = (server: FastifyInstance, authorization?: string) =>
    server.inject({
      method: 'GET',
      url: '/readyz',
      headers: authorization === undefined ? {} : { authorization },
    });

  it('answers ready to every caller while the backend lists clusters, token or none', async () => {
    const { app } = await start(TOKEN);
    for (const authorization of [undefined, `Bearer ${TOKEN}`, 'Bearer wrong']) {
      const answer = await readyz(app, authorization);
      expect([authorization, answer.statusCode, answer.json()]).toEqual([
        authorization,
        200,
        { status: 'ready' },
      ]);
    }
  });

  it("answers not ready in the error envelope, with the backend's words only to a caller with the token", async () => {
    const { app, driver } = await start(TOKEN);
    driver.failWith('list', new BackendUnavailableError(BACKEND_WORDS));
    for (const authorization of [undefined, 'Bearer wrong']) {
      const answer = await readyz(app, authorization);
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toEqual({
        errors: [
          {
            status: 503,
            title: 'not ready',
            details: 'the server cannot list clusters; a caller with the token is told why',
            code: 'unavailable',
          },
        ],
      });
      expect(answer.body).not.toContain('10.96.0.1');
    }
    const told = await readyz(app, `Bearer ${TOKEN}`);
    expect(told.statusCode).toBe(503);
    expect(told.json()).toMatchObject({
      errors: [
        { status: 503, code: 'unavailable', details: `the server cannot list clusters: ${BACKEND_WORDS}` },
      ],
    });
    // Not ready whatever the backend's error: a failing probe is never the caller's fault.
    driver.failWith('list', new Error('a bug'));
    expect((await readyz(app)).statusCode).toBe(503);
  });

  it('tells every caller why on a server without a token, as its whole API does', async () => {
    const { app, driver } = await start(undefined);
    driver.failWith('list', new BackendUnavailableError(BACKEND_WORDS));
    const answer = await readyz(app);
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toMatchObject({
      errors: [{ details: `the server cannot list clusters: ${BACKEND_WORDS}` }],
    });
  });
});
