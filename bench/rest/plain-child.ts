/**
 * The baseline: a plain Fastify server whose handlers return the same JSON the oshinko server returned, with
 * nothing behind them. It serializes the object on every request, as oshinko does.
 */
import Fastify from 'fastify';
import { serveParent } from '../lib/child.js';

let list: unknown = { clusters: [] };
let one: unknown = {};
const app = Fastify({ logger: false });
app.get('/clusters', () => list);
app.get('/clusters/:name', () => one);

serveParent(async (message) => {
  switch (message.type) {
    case 'ready':
      return { url: await app.listen({ host: '127.0.0.1', port: 0 }) };
    case 'answers':
      list = JSON.parse(String(message.list));
      one = JSON.parse(String(message.one));
      return {};
    default:
      throw new Error(`unknown message ${message.type}`);
  }
});
