import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementClient, ManagementError } from './management-client.js';

/** A tiny stand-in management API with routes per test. */
let server: Server;
let base = '';
const seen: Array<{ method: string; url: string; auth: string | undefined; body: string }> = [];
let routes: Record<string, (req: IncomingMessage) => { status: number; body?: unknown; delayMs?: number }> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      const route = routes[`${req.method} ${(req.url ?? '').split('?')[0]}`];
      const r = route ? route(req) : { status: 404, body: { error: 'Object Not Found' } };
      setTimeout(() => {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(r.body === undefined ? '' : JSON.stringify(r.body));
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const vhostRecord = {
  name: 'v/1',
  description: 'prod',
  tags: ['a'],
  default_queue_type: 'undefined',
  tracing: false,
  cluster_state: { 'rabbit@n1': 'running' },
};

describe('management client', () => {
  it('sends basic auth from the given credentials and percent-encodes the vhost', async () => {
    routes = { 'GET /api/vhosts/v%2F1': () => ({ status: 200, body: vhostRecord }) };
    seen.length = 0;
    const c = createManagementClient({ baseUrl: base + '/', username: 'u', password: 'p@ss' });
    const vh = await c.getVhost('v/1');
    expect(vh).toEqual({
      name: 'v/1',
      tracing: false,
      clusterState: { 'rabbit@n1': 'running' },
      description: 'prod',
      tags: ['a'],
      defaultQueueType: null,
      published: null,
    });
    expect(seen[0]!.auth).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });

  it('takes credentials from the URL and never shows them in the base URL', () => {
    const c = createManagementClient({ baseUrl: 'http://admin:s3cret@mq.example:15672' });
    expect(c.baseUrl).toBe('http://mq.example:15672');
  });

  it('switching tracing keeps the vhost description and tags (a PUT replaces the record)', async () => {
    routes = {
      'GET /api/vhosts/v%2F1': () => ({ status: 200, body: vhostRecord }),
      'PUT /api/vhosts/v%2F1': () => ({ status: 204 }),
    };
    seen.length = 0;
    await createManagementClient({ baseUrl: base }).setVhostTracing('v/1', true);
    const put = seen.find((r) => r.method === 'PUT')!;
    expect(JSON.parse(put.body)).toEqual({ description: 'prod', tags: ['a'], tracing: true });
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not-found'],
    [500, 'http'],
  ] as const)('maps HTTP %i to a %s error that is a permission problem only for 401/403', async (status, kind) => {
    routes = { 'GET /api/nodes': () => ({ status, body: { error: 'x' } }) };
    const err = await createManagementClient({ baseUrl: base })
      .getNodes()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagementError);
    expect((err as ManagementError).kind).toBe(kind);
    expect((err as ManagementError).status).toBe(status);
    expect((err as ManagementError).isPermission).toBe(status === 401 || status === 403);
  });

  it('times out a slow API', async () => {
    routes = { 'GET /api/nodes': () => ({ status: 200, body: [], delayMs: 500 }) };
    const err = await createManagementClient({ baseUrl: base, timeoutMs: 50 })
      .getNodes()
      .catch((e: unknown) => e);
    expect((err as ManagementError).kind).toBe('timeout');
  });

  it('reports an unreachable API without the password', async () => {
    const err = await createManagementClient({ baseUrl: 'http://guest:topsecret@127.0.0.1:1', timeoutMs: 2000 })
      .getOverview()
      .catch((e: unknown) => e);
    expect((err as ManagementError).kind).toBe('unreachable');
    expect((err as Error).message).not.toContain('topsecret');
  });

  it('parses consumers, connections and exchanges, skipping malformed items', async () => {
    routes = {
      'GET /api/consumers/%2F': () => ({
        status: 200,
        body: [{ queue: { name: 'demo', vhost: '/' }, consumer_tag: '1', channel_details: { connection_name: 'c1' } }, { queue: 42 }, 'junk'],
      }),
      'GET /api/vhosts/%2F/connections': () => ({
        status: 200,
        body: [{ name: 'c1', client_properties: { connection_name: 'nova-compute:12:u' }, peer_host: '10.0.0.1', user: 'nova' }, { nope: 1 }],
      }),
      'GET /api/exchanges/%2F': () => ({
        status: 200,
        body: [{ name: 'openstack', type: 'topic', durable: false, auto_delete: false, internal: false }, { name: 5 }],
      }),
    };
    const c = createManagementClient({ baseUrl: base });
    expect(await c.getConsumers('/')).toEqual([{ queue: 'demo', connection: 'c1', consumerTag: '1' }]);
    expect(await c.getVhostConnections('/')).toEqual([{ name: 'c1', clientName: 'nova-compute:12:u', peerHost: '10.0.0.1', user: 'nova' }]);
    expect(await c.getExchanges('/')).toEqual([{ name: 'openstack', type: 'topic', durable: false, autoDelete: false, internal: false }]);
  });

  it('reads the vhost publish counter and node uptimes (what the downtime count needs), null when absent or malformed', async () => {
    routes = {
      'GET /api/vhosts/a': () => ({ status: 200, body: { ...vhostRecord, name: 'a', message_stats: { publish: 8500, publish_details: { rate: 0 } } } }),
      'GET /api/vhosts/b': () => ({ status: 200, body: { ...vhostRecord, name: 'b', message_stats: { publish: -1 } } }),
      'GET /api/vhosts/v%2F1': () => ({ status: 200, body: vhostRecord }),
      'GET /api/nodes': () => ({
        status: 200,
        body: [
          { name: 'rabbit@a', running: true, uptime: 5_515_688 },
          { name: 'rabbit@b', uptime: 'x' },
        ],
      }),
    };
    const c = createManagementClient({ baseUrl: base });
    expect((await c.getVhost('a')).published).toBe(8500);
    expect((await c.getVhost('b')).published).toBeNull();
    expect((await c.getVhost('v/1')).published).toBeNull();
    expect(await c.getNodes()).toEqual([
      { name: 'rabbit@a', running: true, uptimeMs: 5_515_688 },
      { name: 'rabbit@b', running: true, uptimeMs: null },
    ]);
  });

  it('rejects a non-array list answer as a bad response instead of throwing a TypeError', async () => {
    routes = { 'GET /api/nodes': () => ({ status: 200, body: { not: 'a list' } }) };
    const err = await createManagementClient({ baseUrl: base })
      .getNodes()
      .catch((e: unknown) => e);
    expect((err as ManagementError).kind).toBe('bad-response');
  });
});
