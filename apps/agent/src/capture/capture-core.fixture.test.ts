import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import type { CaptureCore } from './capture-core.js';
import { fixtureRaws, seededDirectory, openTestCore } from '../../test/support/capture-fixtures.js';
import { createConnectionDirectory } from '../domain/in-memory-connection-directory.js';

const T0 = 1_795_973_550_000;
/** Fixture line n is received at T0 + 10 n ms. */
const at = (line: number) => T0 + line * 10;

let clock = T0;
let core: CaptureCore;

function open(directory = seededDirectory()): CaptureCore {
  return openTestCore({ directory, now: () => clock });
}

function all(c: CaptureCore): EnvelopeRecord[] {
  return c.query({}, { limit: 1000 }).items;
}

function callByLine(records: EnvelopeRecord[], line: number): EnvelopeRecord {
  const r = records.find((x) => x.capturedAt === at(line));
  if (!r) throw new Error(`no record for line ${line}`);
  return r;
}

describe('capture core over the real firehose fixture', () => {
  beforeEach(() => {
    clock = T0 + 1000; // just after the capture
    core = open();
    for (const raw of fixtureRaws(T0)) core.ingest(raw);
    core.flush();
  });
  afterEach(() => core.close());

  it('keeps one record per published message, deliveries folded in', () => {
    const records = all(core);
    expect(records).toHaveLength(26);
    expect(core.counts()).toMatchObject({ captured: 26, stored: 26, dropped: 0, evicted: 0, decodeErrors: 0, signatureFailures: 0 });
    const kinds = records.reduce<Record<string, number>>((m, r) => ((m[r.kind] = (m[r.kind] ?? 0) + 1), m), {});
    expect(kinds).toEqual({ call: 10, cast: 2, reply: 11, notification: 3 });
    // Newest first.
    expect(records.map((r) => r.id)).toEqual([...records.map((r) => r.id)].sort((a, b) => b - a));
    // Line 1's request was delivered once (line 2) to node-a's RPC listener.
    expect(callByLine(records, 1).deliveries).toEqual([
      { queue: 'demo', connection: '127.0.0.1:54310 -> 127.0.0.1:5672', server: 'node-a', redelivered: false, at: at(2) },
    ]);
  });

  it('shows each call with its outcome', () => {
    const records = all(core);
    const call = (line: number) => callByLine(records, line).outcome;
    expect(call(1)).toMatchObject({ status: 'ok', failure: null, heartbeats: 0 });
    expect(call(18)).toMatchObject({ status: 'error', failure: { class: 'ValueError', module: 'builtins' } });
    expect(call(22)).toMatchObject({
      status: 'error',
      failure: { class: 'UnsupportedVersion', message: 'Endpoint does not support RPC version 2.0. Attempted method: echo' },
    });
    expect(call(26)).toMatchObject({ status: 'error', failure: { class: 'NoSuchMethod' } });
    expect(call(30)).toMatchObject({ status: 'ok' });
    expect(call(34)).toMatchObject({ status: 'ok', heartbeats: 2, latencyMs: at(40) - at(34) });
    expect(call(50)).toMatchObject({ status: 'pending', latencyMs: null, replyId: null });
    for (const line of [1, 5, 11, 18, 22, 26, 30, 34, 42]) {
      const o = call(line);
      expect(o?.latencyMs, `latency of line ${line}`).toBeGreaterThan(0);
      const reply = records.find((r) => r.id === o?.replyId);
      expect(reply?.kind).toBe('reply');
      expect(reply?.requestId).toBe(callByLine(records, line).id);
    }
  });

  it('times out the call to node-z once its 2000 ms expiration (+1 s grace) passed', () => {
    const z = () => core.query({ server: 'node-z' }, {}).items.find((r) => r.kind === 'call');
    clock = at(50) + 2000 + 999;
    core.flush();
    expect(z()?.outcome?.status).toBe('pending');
    const updates: EnvelopeRecord[] = [];
    core.subscribe({ onRecord: (r, isNew) => (isNew ? undefined : updates.push(r)) });
    clock = at(50) + 3001;
    core.flush();
    expect(z()).toMatchObject({ method: 'echo', routingKey: 'demo.node-z', deliveries: [], outcome: { status: 'timeout' } });
    expect(updates.map((u) => u.outcome?.status)).toEqual(['timeout']);
    expect(core.query({ outcome: 'timeout' }, {}).total).toBe(1);
  });

  it('attributes round-robin calls to the server that took them, and fanout reach', () => {
    const records = all(core);
    expect(callByLine(records, 1).server).toBe('node-a');
    expect(callByLine(records, 5).server).toBe('node-b');
    expect(callByLine(records, 11)).toMatchObject({ server: 'node-b', target: { server: 'node-b' } });
    const fanout = callByLine(records, 15);
    expect(fanout).toMatchObject({ kind: 'cast', target: { fanout: true }, server: null });
    expect(fanout.reached?.slice().sort()).toEqual(['node-a', 'node-b']);
    // Replies carry the request's target and server, so filters find them.
    const reply = records.find((r) => r.id === callByLine(records, 5).outcome?.replyId);
    expect(reply).toMatchObject({ server: 'node-b', target: { topic: 'demo' } });
  });

  it('names the client process behind each call', () => {
    const call = callByLine(all(core), 1);
    expect(call.client).toEqual({
      replyQueue: 'reply_241f701b35c04f16b8c28f0e4e67dd18',
      connection: '127.0.0.1:54338 -> 127.0.0.1:5672',
      process: expect.stringMatching(/^capture_fixtures\.py:12137:/) as unknown as string,
    });
  });

  it('shows notifications, including the legacy 1.0 one', () => {
    const notes = core.query({ kind: 'notification' }, {}).items;
    expect(notes.map((n) => n.notification?.priority).sort()).toEqual(['ERROR', 'INFO', 'INFO']);
    expect(notes.every((n) => n.deliveries.length === 1)).toBe(true);
    expect(notes.filter((n) => n.envelopeVersion === null)).toHaveLength(1);
  });

  it('aggregates flows per target', () => {
    const flows = core.flows({});
    const echo12 = flows.find((f) => f.target.topic === 'demo' && f.target.version === '1.2' && f.target.server === null);
    expect(echo12).toMatchObject({ calls: 2, casts: 0, errors: 0, timeouts: 0, servers: ['node-a', 'node-b'] });
    expect(echo12?.latencyMs.p50).toBeGreaterThan(0);
    expect(echo12?.clients).toEqual([expect.stringMatching(/^capture_fixtures\.py:12137:/)]);
    const fanout = flows.find((f) => f.target.fanout);
    expect(fanout).toMatchObject({ fanouts: 1, calls: 0, servers: ['node-a', 'node-b'] });
    const v20 = flows.find((f) => f.target.version === '2.0' && f.target.namespace === null);
    expect(v20).toMatchObject({ calls: 1, errors: 1, errorsByClass: { UnsupportedVersion: 1 } });
    const z = flows.find((f) => f.target.server === 'node-z');
    expect(z).toMatchObject({ calls: 1, pending: 1, timeouts: 0 });
    // Notifications and replies are not flows.
    expect(flows.reduce((n, f) => n + f.calls + f.casts + f.fanouts, 0)).toBe(12);
  });

  it('flags the 2.0 UnsupportedVersion on echo in the version report', () => {
    const reports = core.versions({});
    const demo = reports.find((r) => r.exchange === 'openstack' && r.topic === 'demo' && r.namespace === null);
    expect(demo?.mixedVersions).toBe(true);
    expect(demo?.versions.find((v) => v.version === '2.0')).toMatchObject({ sent: 1, unsupportedVersion: 1, methods: ['echo'] });
    expect(demo?.failures).toContainEqual({ version: '2.0', method: 'echo', class: 'UnsupportedVersion', server: 'node-a', count: 1 });
    expect(demo?.servers.find((s) => s.server === 'node-a')).toEqual({ server: 'node-a', highestAccepted: '1.2', lowestRejected: '2.0' });
    expect(demo?.warning).toContain('Clients send 2.0 but node-a rejects it (UnsupportedVersion)');
    const admin = reports.find((r) => r.topic === 'demo' && r.namespace === 'admin');
    expect(admin).toMatchObject({ mixedVersions: false, warning: null });
  });

  it('shows the message detail with broker facts and the raw body', () => {
    const z = core.query({ server: 'node-z', kind: 'call' }, {}).items[0];
    const detail = core.get(z?.id ?? -1);
    expect(detail?.broker).toMatchObject({ event: 'publish', routedQueues: [] });
    expect(detail?.properties.expiration).toBe('2000');
    const body = Buffer.from(detail?.rawBase64 ?? '', 'base64').toString('utf8');
    expect(body).toContain('"args\\": {\\"value\\": \\"lost\\"}');
    expect(core.get(999_999)).toBeNull();
    expect(Buffer.from(core.getRaw(z?.id ?? -1)?.body ?? []).toString('utf8')).toBe(body);
  });
});

describe('capture core without the management API', () => {
  it('learns node-b from the capture itself (it consumed both demo and demo.node-b)', () => {
    clock = T0 + 1000;
    const c = open(createConnectionDirectory());
    for (const raw of fixtureRaws(T0)) c.ingest(raw);
    const records = all(c);
    // Line 6's delivery came before node-b revealed its server queue (line 12): resolved when read.
    expect(callByLine(records, 5).server).toBe('node-b');
    expect(callByLine(records, 1).server).toBeNull();
    expect(callByLine(records, 1).client?.process).toBeNull();
    expect(c.query({ server: 'node-b', kind: 'call' }, {}).total).toBe(5);
    c.close();
  });
});

describe('redaction', () => {
  const TOKEN = 'gAAAAABsecret' + 'x'.repeat(80);

  function withToken(showSecrets: boolean) {
    clock = T0 + 1000;
    const c = openTestCore({ maxMessages: 1000, showSecrets, now: () => clock });
    const first = fixtureRaws(T0)[0]!;
    const outer = JSON.parse(Buffer.from(first.body).toString('utf8')) as Record<string, string>;
    const inner = JSON.parse(outer['oslo.message']!) as Record<string, unknown>;
    inner['_context_auth_token'] = TOKEN;
    outer['oslo.message'] = JSON.stringify(inner);
    const body = new Uint8Array(Buffer.from(JSON.stringify(outer)));
    c.ingest({ ...first, body });
    const seen: string[] = [];
    c.subscribe({ onRecord: (r) => seen.push(JSON.stringify(r)) });
    c.ingest({ ...fixtureRaws(T0)[1]!, body });
    const id = c.query({}, {}).items[0]!.id;
    const out: string[] = [JSON.stringify(c.query({}, {})), JSON.stringify(c.get(id)), ...seen];
    c.exportNdjson({}, (l) => out.push(l));
    const raw = Buffer.from(c.getRaw(id)!.body ?? []).toString('utf8');
    c.close();
    return { out: out.join('\n'), raw, detail: out[1]! };
  }

  it('never shows the auth token unless --show-secrets', () => {
    const hidden = withToken(false);
    expect(hidden.out).not.toContain('gAAAAABsecret');
    expect(hidden.detail).toContain('oslo.message._context_auth_token');
    expect(hidden.detail).toContain('***redacted***');
    expect(hidden.raw).toContain(TOKEN); // replay gets the exact bytes
    expect(withToken(true).out).toContain(TOKEN);
  });
});
