import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest, type EnvelopeDetail, type EnvelopeRecord, type HealthReport, type SourceHealth } from '@osloscope/shared';
import type { CaptureCore } from '../capture/capture-core.js';
import { fixtureRaws, SOURCE, openTestCore } from '../../test/support/capture-fixtures.js';
import { silentLogger } from '../../test/support/loggers.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createHealthReporter } from './health-report.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';

const T0 = 1_795_973_550_000;
/** Fixture line n is received at T0 + 10 n ms, so a record's capturedAt names its publish line. */
const lineOf = (r: EnvelopeRecord): number => (r.capturedAt - T0) / 10;
const TOKEN = 'gAAAAABsynthetic-secret-token-0123456789abcdefghijklmnopqrstuvwxyz';
const TOKEN_LINE = 60;

/** A call carrying a clear-text auth token (the fixture's context has auth_token null). */
function callWithToken(): RawCapture {
  const msg = encodeRequest({
    exchange: 'openstack',
    topic: 'demo',
    method: 'echo',
    args: { value: 'secret-test' },
    context: { user: 'demo-user', auth_token: TOKEN, request_id: 'req-token-test' },
    msgId: 'aa11bb22cc33dd44ee55ff6677889900',
    replyQueue: 'reply_241f701b35c04f16b8c28f0e4e67dd18',
    uniqueId: '0123456789abcdef0123456789abcdef',
  });
  return {
    source: SOURCE,
    receivedAt: T0 + TOKEN_LINE * 10,
    origin: 'firehose',
    exchange: 'amq.rabbitmq.trace',
    routingKey: 'publish.openstack',
    headers: {
      exchange_name: msg.exchange,
      routing_keys: [msg.routingKey],
      properties: msg.properties,
      node: 'rabbit@vm',
      vhost: '/',
      connection: '127.0.0.1:54338 -> 127.0.0.1:5672',
      channel: 1,
      user: 'guest',
      routed_queues: ['demo'],
    },
    properties: {},
    body: msg.body,
  };
}

const sourceHealth: SourceHealth = {
  name: SOURCE,
  url: 'rabbit://guest:***@127.0.0.1:5672/',
  mode: 'firehose',
  state: 'connected',
  vhost: '/',
  host: '127.0.0.1',
  tracing: [{ node: 'rabbit@vm', tracing: true }],
  tracingEnabledByAgent: false,
  warnings: [],
  blindSpots: [],
  lastError: null,
  connectedSince: T0,
  reconnects: 0,
  backlog: 0,
};

function openCore(): CaptureCore {
  return openTestCore({ now: () => T0 + 3_600_000 }); // an hour later: unanswered calls have timed out
}

async function serve(core: CaptureCore, sources: SourceHealth[] = [sourceHealth]): Promise<RunningHttpServer> {
  const health = createHealthReporter({
    agentVersion: 'test',
    startedAt: T0,
    sources: () => sources,
    counts: () => core.counts(),
    store: () => core.storeHealth(),
    signing: { keysLoaded: false, destinations: 0, requireSigned: 0 },
    demo: false,
    replayEnabled: false,
    showSecrets: false,
  });
  return startHttpServer({ capture: core, health, agentVersion: 'test', logger: silentLogger, host: '127.0.0.1', port: 0, webRoot: null });
}

let core: CaptureCore;
let server: RunningHttpServer;

async function getJson<T>(path: string): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(server.url + path);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T, text };
}

async function linesFor(query: string): Promise<number[]> {
  const { status, body } = await getJson<{ items: EnvelopeRecord[]; total: number }>(`/api/envelopes?limit=1000&${query}`);
  expect(status).toBe(200);
  expect(body.total).toBe(body.items.length);
  return body.items.map(lineOf).sort((a, b) => a - b);
}

beforeAll(async () => {
  core = openCore();
  for (const raw of fixtureRaws(T0)) core.ingest(raw);
  core.ingest(callWithToken());
  core.flush();
  server = await serve(core);
});

afterAll(async () => {
  await server.close();
  core.close();
});

describe('GET /api/health', () => {
  it('reports sources, capture counts and signing', async () => {
    const { status, body } = await getJson<HealthReport>('/api/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.sources).toEqual([sourceHealth]);
    expect(body.counts).toMatchObject({ captured: 27, stored: 27, decodeErrors: 0 });
    expect(body.signing).toEqual({ keysLoaded: false, destinations: 0, requireSigned: 0 });
    expect(body).toMatchObject({ demo: false, replayEnabled: false, showSecrets: false, version: 'test' });
  });
});

describe('GET /api/envelopes', () => {
  it('lists newest first with the total', async () => {
    const { body } = await getJson<{ items: EnvelopeRecord[]; total: number }>('/api/envelopes?limit=3');
    expect(body.total).toBe(27);
    expect(body.items.map(lineOf)).toEqual([TOKEN_LINE, 51, 50]);
  });

  it('pages with before/after', async () => {
    const { body: first } = await getJson<{ items: EnvelopeRecord[] }>('/api/envelopes?limit=2');
    const oldestShown = first.items.at(-1)?.id ?? 0;
    const { body: next } = await getJson<{ items: EnvelopeRecord[] }>(`/api/envelopes?limit=2&before=${oldestShown}`);
    expect(next.items.map(lineOf)).toEqual([50, 48]);
    const { body: newer } = await getJson<{ items: EnvelopeRecord[] }>(`/api/envelopes?after=${oldestShown}`);
    expect(newer.items.map(lineOf)).toEqual([TOKEN_LINE]);
  });

  it('narrows by exchange to the messages published to it and their replies', async () => {
    // fixture README: every publish.openstack line (requests and notifications), plus our call...
    const published = [1, 5, 9, 11, 18, 22, 26, 30, 34, 42, 46, 48, 50, 51, TOKEN_LINE];
    // ...and the replies (default exchange) to those calls, which carry the call's target.
    const replies = [3, 7, 13, 20, 24, 28, 32, 36, 38, 40, 44];
    expect(await linesFor('exchange=openstack')).toEqual([...published, ...replies].sort((a, b) => a - b));
    expect(await linesFor('exchange=openstack&kind=reply')).toEqual(replies);
    expect(await linesFor('exchange=demo_fanout')).toEqual([15]);
  });

  it('narrows by topic to the requests on it and their replies', async () => {
    expect(await linesFor('topic=demo&kind=call')).toEqual([1, 5, 11, 18, 22, 26, 30, 34, 42, 50, TOKEN_LINE]);
    expect(await linesFor('topic=demo&kind=cast')).toEqual([9, 15]);
    expect(await linesFor('topic=notifications')).toEqual([46, 48, 51]);
  });

  it('narrows by server to what node-b handled (round-robin, direct and fanout)', async () => {
    expect(await linesFor('server=node-b&kind=call')).toEqual([5, 11, 18, 26, 34]);
    expect(await linesFor('server=node-b&kind=cast')).toEqual([15]);
    expect(await linesFor('server=node-z')).toEqual([50]);
  });

  it('combines fields and searches text', async () => {
    expect(await linesFor('namespace=admin')).toEqual([30, 32]);
    expect(await linesFor('outcome=error')).toEqual([18, 22, 26]);
    // Line 50 went nowhere; our synthetic call was never answered either.
    expect(await linesFor('outcome=timeout')).toEqual([50, TOKEN_LINE]);
    expect(await linesFor('text=reboot_instance&kind=call')).toEqual([26]);
  });

  it.each([
    ['kind=bogus', /"kind" must be one of call, cast/],
    ['outcome=late', /"outcome" must be one of/],
    ['signature=forged', /"signature" must be one of/],
    ['limit=0', /"limit" must be an integer from 1 to 1000/],
    ['limit=5000', /"limit" must be an integer from 1 to 1000/],
    ['limit=ten', /"limit"/],
    ['before=-3', /"before"/],
  ])('rejects %s with 400 and a JSON error', async (query, message) => {
    const { status, body } = await getJson<{ error: string }>(`/api/envelopes?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });
});

describe('GET /api/envelopes/:id', () => {
  it('returns the record with its raw body, secrets masked', async () => {
    const { body: list } = await getJson<{ items: EnvelopeRecord[] }>('/api/envelopes?limit=1');
    const id = list.items[0]?.id;
    const { status, body, text } = await getJson<EnvelopeDetail>(`/api/envelopes/${id}`);
    expect(status).toBe(200);
    expect(body.method).toBe('echo');
    expect(body.context?.['auth_token']).not.toBe(TOKEN);
    expect(body.context?.['request_id']).toBe('req-token-test');
    const raw = Buffer.from(body.rawBase64, 'base64').toString('utf8');
    expect(raw).toContain('req-token-test');
    expect(raw).not.toContain(TOKEN);
    expect(body.maskedFields.join(' ')).toMatch(/auth_token/);
    expect(text).not.toContain(TOKEN);
  });

  it('answers 404 and 400 as JSON', async () => {
    expect(await getJson('/api/envelopes/999999')).toMatchObject({ status: 404, body: { error: 'envelope 999999 not found' } });
    expect((await getJson('/api/envelopes/abc')).status).toBe(400);
    expect(await getJson('/api/nothing-here')).toMatchObject({ status: 404, body: { error: 'no route GET /api/nothing-here' } });
  });
});

describe('aggregates', () => {
  it('serves flows, versions and gaps with the same filter params', async () => {
    const flows = await getJson<{ key: string; calls: number; servers: string[] }[]>('/api/flows?topic=demo');
    expect(flows.status).toBe(200);
    expect(flows.body.length).toBeGreaterThan(0);
    expect(flows.body.every((f) => f.key.includes('demo'))).toBe(true);
    const versions = await getJson<{ topic: string; versions: { version: string }[] }[]>('/api/versions?topic=demo');
    expect(versions.body.map((v) => v.topic)).toContain('demo');
    expect(versions.body.flatMap((v) => v.versions.map((x) => x.version))).toEqual(expect.arrayContaining(['1.2', '2.0']));
    expect((await getJson('/api/gaps')).body).toEqual([]);
    expect((await getJson('/api/flows?kind=nope')).status).toBe(400);
  });
});

describe('export and import', () => {
  it('exports NDJSON as a download, masked, and imports it into another agent', async () => {
    const res = await fetch(`${server.url}/api/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="osloscope-.*\.ndjson"$/);
    const text = await res.text();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(28);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ trailer: { lines: 27, missing: 0, reasons: [] } });
    expect(text).not.toContain(TOKEN);

    const other = openCore();
    const otherServer = await serve(other, []);
    try {
      const imported = await fetch(`${otherServer.url}/api/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: text + 'this is not json\n',
      });
      expect(imported.status).toBe(200);
      expect(await imported.json()).toEqual({ imported: 27, errors: 1 });
      const list = (await (await fetch(`${otherServer.url}/api/envelopes?limit=1000`)).json()) as { items: EnvelopeRecord[]; total: number };
      expect(list.total).toBe(27);
      const methods = (items: EnvelopeRecord[]) => items.map((r) => `${r.kind}:${r.method ?? ''}`).sort();
      const original = (await getJson<{ items: EnvelopeRecord[] }>('/api/envelopes?limit=1000')).body.items;
      expect(methods(list.items)).toEqual(methods(original));
    } finally {
      await otherServer.close();
      other.close();
    }
  });

  it('refuses uploads that are not NDJSON', async () => {
    const res = await fetch(`${server.url}/api/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'x',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.json()).toHaveProperty('error');
  });
});

describe('web app', () => {
  it('explains how to build the web app when it is not built', async () => {
    const res = await fetch(`${server.url}/flows/some/deep/link`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npm run build -w @osloscope/web');
  });
});
