/**
 * A counting HTTPS reverse proxy in front of the test cluster's API server, in its own process: the oshinko server
 * under test gets a kubeconfig that points here, and every Kubernetes API request it makes is counted by verb and
 * resource before it goes on to the API server with the admin client certificate. Watches stream through.
 * Requests that belong to the watch cache's background work (watch streams, and the registration poller's reads of
 * a master's /json/ through services/proxy) are counted apart from the ones a REST call makes itself.
 *
 *   argv: <state dir with certs/> <API server URL>
 */
import { readFileSync } from 'node:fs';
import { createServer, request, Agent } from 'node:https';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serveParent } from '../lib/child.js';
import type { Counts } from '../rest/rounds.js';

const [state = '', upstream = ''] = process.argv.slice(2);
const certs = join(state, 'certs');
const read = (file: string) => readFileSync(join(certs, file));
const target = new URL(upstream);
if (target.protocol !== 'https:' || target.hostname !== '127.0.0.1') {
  throw new Error(`the counting proxy forwards to a loopback API server only, not ${upstream}`);
}

const agent = new Agent({
  keepAlive: true,
  ca: read('ca.crt'),
  cert: read('admin.crt'),
  key: read('admin.key'),
});

export type { Counts };

export interface Tally {
  /** What REST calls cause: lists, gets, creates, patches, deletes. */
  readonly calls: Counts;
  /** The watch cache's own traffic: watch streams opened, masters asked through services/proxy. */
  readonly background: Counts;
}

let calls: Record<string, number> = {};
let background: Record<string, number> = {};

/** `GET /apis/apps/v1/namespaces/ns/deployments?labelSelector=...` -> `list deployments`. */
function describe(method: string, url: string): { key: string; background: boolean } {
  const { pathname, searchParams } = new URL(url, 'https://proxy.invalid');
  const parts = pathname.split('/').filter((part) => part !== '');
  const watch = ['true', '1'].includes(searchParams.get('watch') ?? '');
  const at = parts.indexOf('namespaces');
  // /api/v1/namespaces/<ns>/<resource>[/<name>[/<subresource>...]], or a cluster-wide or discovery path.
  const rest = at >= 0 ? parts.slice(at + 2) : parts.slice(parts[0] === 'api' ? 2 : 3);
  const [resource, name, subresource] = rest;
  if (resource === undefined) return { key: `get discovery ${pathname}`, background: false };
  if (subresource === 'proxy') return { key: `proxy ${resource}/proxy`, background: true };
  if (watch) return { key: `watch ${resource}`, background: true };
  const verb =
    method === 'GET'
      ? name === undefined
        ? 'list'
        : 'get'
      : method === 'POST'
        ? 'create'
        : method === 'PUT'
          ? 'update'
          : method === 'PATCH'
            ? 'patch'
            : method === 'DELETE'
              ? name === undefined
                ? 'deletecollection'
                : 'delete'
              : method.toLowerCase();
  return {
    key: `${verb} ${resource}${subresource === undefined ? '' : `/${subresource}`}`,
    background: false,
  };
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
]);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const server = createServer(
  { cert: read('kube-apiserver.crt'), key: read('kube-apiserver.key') },
  (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const { key, background: isBackground } = describe(method, url);
    const tally = isBackground ? background : calls;
    tally[key] = (tally[key] ?? 0) + 1;
    const out = request(
      {
        protocol: 'https:',
        hostname: target.hostname,
        port: target.port,
        method,
        path: url,
        agent,
        headers: forwardable(req.headers),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    out.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(error.message);
    });
    // The client went away (a watch it stopped, a request it gave up): so does the request upstream.
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  },
);

function take(counts: Record<string, number>): Counts {
  return { total: Object.values(counts).reduce((sum, n) => sum + n, 0), counts };
}

serveParent(async (message) => {
  switch (message.type) {
    case 'ready': {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: `https://127.0.0.1:${String((server.address() as AddressInfo).port)}` };
    }
    case 'requests': {
      // What was counted since the last ask; the counts start again from zero.
      const tally: Tally = { calls: take(calls), background: take(background) };
      calls = {};
      background = {};
      return tally;
    }
    default:
      throw new Error(`unknown message ${message.type}`);
  }
});
