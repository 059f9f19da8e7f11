import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type AgentHello, type ClientToServerEvents, type EnvelopeBatch, type ServerToClientEvents } from '@osloscope/shared';
import type { CaptureCore } from '../capture/capture-core.js';
import { fixtureRaws, openTestCore } from '../../test/support/capture-fixtures.js';
import { silentLogger } from '../../test/support/loggers.js';
import { createHealthReporter } from './health-report.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const T0 = 1_795_973_550_000;
const RAWS = fixtureRaws(T0);
let clock = T0 + 1000;
let core: CaptureCore;
let server: RunningHttpServer;
const clients: Client[] = [];

/** Fixture lines 1..historyLines are stored before clients connect; later ones arrive "live". */
async function start(historyLines: number, stream: { maxPending?: number; flushIntervalMs?: number } = {}): Promise<void> {
  clock = T0 + 1000;
  core = openTestCore({ now: () => clock });
  for (const raw of RAWS.slice(0, historyLines)) core.ingest(raw);
  core.flush();
  const health = createHealthReporter({
    agentVersion: 'test',
    startedAt: T0,
    sources: () => [],
    counts: () => core.counts(),
    store: () => core.storeHealth(),
    signing: { keysLoaded: false, destinations: 0, requireSigned: 0 },
    demo: false,
    replayEnabled: false,
    showSecrets: false,
  });
  server = await startHttpServer({
    capture: core,
    health,
    agentVersion: 'test',
    logger: silentLogger,
    host: '127.0.0.1',
    port: 0,
    webRoot: null,
    stream: { flushIntervalMs: stream.flushIntervalMs ?? 20, healthIntervalMs: 60_000, ...(stream.maxPending ? { maxPending: stream.maxPending } : {}) },
  });
}

async function client(): Promise<{ socket: Client; hello: AgentHello; batches: EnvelopeBatch[] }> {
  const socket: Client = connect(server.url, { transports: ['websocket'], forceNew: true });
  clients.push(socket);
  const batches: EnvelopeBatch[] = [];
  socket.on('envelopes:batch', (b) => batches.push(b));
  const hello = await new Promise<AgentHello>((resolve) => socket.once('hello', resolve));
  return { socket, hello, batches };
}

async function until<T>(what: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function ingestLines(from: number, to: number): void {
  for (const raw of RAWS.slice(from - 1, to)) core.ingest(raw);
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
  core.close();
});

describe('socket.io stream', () => {
  beforeEach(() => start(45));

  it('says hello with the protocol version and health', async () => {
    const { hello } = await client();
    expect(hello.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(hello.agentVersion).toBe('test');
    expect(hello.health.counts.stored).toBe(core.counts().stored);
  });

  it('sends the stored gaps when a browser connects (a downtime gap is marked before anyone is connected)', async () => {
    const downtime = { source: 'rabbit', from: T0 - 60_000, to: T0, reason: 'agent was not running (downtime)', lost: 8000 };
    core.markGap(downtime);
    const socket: Client = connect(server.url, { transports: ['websocket'], forceNew: true });
    clients.push(socket);
    const gap = await new Promise((resolve) => socket.once('capture:gap', resolve));
    expect(gap).toEqual(downtime);
  });

  it('sends matching history first (oldest first), then live batches', async () => {
    const { socket, batches } = await client();
    const ack = await socket.emitWithAck('stream:subscribe', { filter: { kind: 'call' }, historyLimit: 3 });
    expect(ack).toEqual({ ok: true, value: { total: 9 } }); // calls on lines 1..34 and 42
    const history = batches[0];
    expect(history?.history).toBe(true);
    expect(history?.items.map((r) => r.method)).toEqual(['get_stats', 'slow', 'echo']);
    expect(history?.items.map((r) => r.id)).toEqual([...(history?.items ?? []).map((r) => r.id)].sort((a, b) => a - b));

    // Lines 46-52: two notifications, the unroutable call (50), a legacy notification.
    ingestLines(46, 52);
    const live = await until(() => batches.find((b) => !b.history && b.items.length > 0));
    expect(live.items.map((r) => `${r.kind}:${r.method}:${r.routingKey}`)).toEqual(['call:echo:demo.node-z']);
    expect(live.skipped).toBe(0);
  });

  it('sends records without their context, history and live alike, while envelope:get gives it, masked', async () => {
    const { socket, batches } = await client();
    await socket.emitWithAck('stream:subscribe', { filter: { kind: 'call' }, historyLimit: 3 });
    ingestLines(46, 52);
    const live = await until(() => batches.find((b) => !b.history && b.items.length > 0));
    const streamed = [...batches[0]!.items, ...live.items];
    expect(streamed).toHaveLength(4);
    expect(streamed.map((r) => r.context)).toEqual([null, null, null, null]);
    // Not vacuous: these calls have contexts (with an auth token), and the detail shows them masked.
    for (const r of streamed) {
      const detail = await socket.emitWithAck('envelope:get', r.id);
      if (!detail.ok) throw new Error(detail.error);
      expect(detail.value.context, `call ${r.id}`).toHaveProperty('auth_token');
      expect(JSON.stringify(detail.value.context)).not.toContain('gAAAAA');
    }
    // The args stay: a text filter on them matches in the browser too.
    expect(live.items[0]?.args).toEqual({ value: 'lost' });
  });

  it('sends an update when a call it already sent times out', async () => {
    const { socket, batches } = await client();
    await socket.emitWithAck('stream:subscribe', { filter: { kind: 'call' }, historyLimit: 0 });
    ingestLines(46, 52);
    const live = await until(() => batches.find((b) => !b.history && b.items.length > 0));
    const call = live.items[0];
    expect(call?.outcome?.status).toBe('pending');
    // Line 50 expires 2 s after it was published; run the timeout sweep later than that.
    clock = T0 + 10_000;
    core.flush();
    const update = await until(() => batches.find((b) => b.updates.length > 0));
    expect(update.items).toEqual([]);
    expect(update.updates.map((r) => [r.id, r.outcome?.status])).toEqual([[call?.id, 'timeout']]);
  });

  it('sends updates, without body fields, to the clients it sent the record to, whatever their filter matched', async () => {
    const byArgs = await client();
    const other = await client();
    // Line 50's call has args {"value": "lost"}: a text filter that only its args match.
    await byArgs.socket.emitWithAck('stream:subscribe', { filter: { text: '"lost"' }, historyLimit: 0 });
    await other.socket.emitWithAck('stream:subscribe', { filter: { kind: 'notification' }, historyLimit: 0 });
    ingestLines(46, 52);
    const live = await until(() => byArgs.batches.find((b) => !b.history && b.items.length > 0));
    const call = live.items[0];
    expect(call).toMatchObject({ kind: 'call', args: { value: 'lost' } });
    clock = T0 + 10_000;
    core.flush();
    const update = await until(() => byArgs.batches.find((b) => b.updates.length > 0));
    expect(update.updates.map((r) => [r.id, r.outcome?.status, r.args, r.context])).toEqual([[call?.id, 'timeout', null, null]]);
    await until(() => (other.batches.some((b) => b.items.length > 0) ? true : undefined));
    expect(other.batches.flatMap((b) => b.updates)).toEqual([]);
  });

  it('answers envelope:get, flows:get and versions:get, and rejects bad input without crashing', async () => {
    const { socket } = await client();
    const bad = await socket.emitWithAck('stream:subscribe', { filter: { kind: 'nope' } } as never);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/kind/);
    const unknownField = await socket.emitWithAck('flows:get', { colour: 'red' } as never);
    expect(unknownField.ok).toBe(false);

    const id = core.query({}, { limit: 1 }).items[0]?.id ?? 0;
    const detail = await socket.emitWithAck('envelope:get', id);
    expect(detail.ok && detail.value.id).toBe(id);
    expect(detail.ok && typeof detail.value.rawBase64).toBe('string');
    expect(await socket.emitWithAck('envelope:get', 999_999)).toEqual({ ok: false, error: 'envelope 999999 not found' });
    expect((await socket.emitWithAck('envelope:get', 'x' as never)).ok).toBe(false);

    const flows = await socket.emitWithAck('flows:get', { topic: 'demo' });
    expect(flows.ok && flows.value.length).toBeGreaterThan(0);
    const versions = await socket.emitWithAck('versions:get', {});
    expect(versions.ok && versions.value.some((v) => v.topic === 'demo')).toBe(true);
    expect(socket.connected).toBe(true);
  });
});

describe('slow clients', () => {
  beforeEach(() => start(0, { maxPending: 3, flushIntervalMs: 30 }));

  it('coalesces a burst into one bounded batch that reports what it skipped', async () => {
    const { socket, batches } = await client();
    await socket.emitWithAck('stream:subscribe', { filter: {}, historyLimit: 10 });
    expect(batches[0]).toMatchObject({ history: true, items: [] });
    // The whole capture in one burst between two flushes: 26 messages for a client allowed 3.
    ingestLines(1, 52);
    const live = await until(() => batches.find((b) => !b.history));
    expect(live.skipped).toBe(26 - 3);
    // The newest are kept: the last three published messages are lines 48, 50 and 51.
    expect(live.items.map((r) => (r.capturedAt - T0) / 10)).toEqual([48, 50, 51]);
    expect(batches.filter((b) => !b.history)).toHaveLength(1);
  });
});
