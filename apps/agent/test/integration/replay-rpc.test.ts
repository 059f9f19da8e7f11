/**
 * Replay against the real RabbitMQ and real oslo.messaging RPC servers: the agent runs as
 * a process with --allow-replay in firehose mode; rpc_server.py records every executed
 * call, so a replay is observable as a second execution on the server.
 *
 * The originals get record ids past 127 on purpose: replay once marked its message with an
 * integer AMQP header holding the original's id, which py-amqp (under oslo) misreads from 128
 * on; the servers then failed to consume it and reconnected until it expired.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest, REDACTED, uuid4Hex, type EnvelopeRecord, type ReplayAuditEntry, type ReplayPreview, type ReplayResult } from '@osloscope/shared';
import {
  createTestVhost,
  runOsloClient,
  startAgent,
  startOsloServers,
  toPublishOptions,
  waitUntil,
  type OsloServers,
  type RunningAgent,
  type TestVhost,
} from '../support/index.js';
import { api, replayAllowed, waitForDetail, waitForRecord } from './replay-helpers.js';

/** Publishes `n` unroutable oslo casts and waits until the agent captured them: later records get higher ids. */
async function advanceRecordIds(n: number, tag: string): Promise<void> {
  const conn = await amqp.connect(vhost.amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    for (let i = 0; i < n; i++) {
      const m = encodeRequest({ exchange: 'openstack', topic: 'nobody-listens', method: 'filler', args: { tag, i }, context: {}, uniqueId: uuid4Hex() });
      ch.publish(m.exchange, m.routingKey, Buffer.from(m.body), toPublishOptions(m.properties));
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
  await waitUntil(
    `the agent to capture ${n} filler casts`,
    async () =>
      (await api<{ items: EnvelopeRecord[] }>(agent.baseUrl, '/api/envelopes?method=filler&limit=1000')).body.items.filter((r) => r.args?.['tag'] === tag)
        .length === n,
  );
}

let vhost: TestVhost;
let agent: RunningAgent;
let servers: OsloServers;
let originalCall: EnvelopeRecord;
let originalCast: EnvelopeRecord;

beforeAll(async () => {
  vhost = await createTestVhost('replay');
  agent = await startAgent({ args: ['--transport-url', vhost.url, '--allow-replay', '--no-demo-fallback'] });
  servers = await startOsloServers({ transportUrl: vhost.url, servers: ['node-a', 'node-b'] });
  // Wait until the firehose is on and captures (the agent switches tracing on at start).
  await waitUntil(
    'tracing on',
    async () =>
      (await api<{ sources: Array<{ tracing: Array<{ tracing: boolean }> }> }>(agent.baseUrl, '/api/health')).body.sources[0]?.tracing[0]?.tracing === true,
  );
  await advanceRecordIds(140, 'before-call');
  const first = await runOsloClient({ transportUrl: vhost.url, method: 'echo', args: { value: 'original' }, server: 'node-a' });
  expect(first.event?.error ?? null).toBeNull();
  originalCall = await waitForRecord(agent.baseUrl, 'method=echo&kind=call', (r) => r.args?.['value'] === 'original' && r.outcome?.status === 'ok');
  await advanceRecordIds(150, 'before-cast');
  await runOsloClient({ transportUrl: vhost.url, method: 'record_event', args: { event: 'cast-original' }, action: 'cast', server: 'node-b' });
  originalCast = await waitForRecord(agent.baseUrl, 'method=record_event&kind=cast', (r) => r.args?.['event'] === 'cast-original');
  await servers.waitForExecuted((c) => c.method === 'record_event');
});

afterAll(async () => {
  await servers?.stop();
  await agent?.stop();
  await vhost?.cleanup();
});

const executedEchoes = async (value: string) => (await servers.readExecuted()).filter((c) => c.method === 'echo' && c.args['value'] === value);

describe('replay of captured oslo traffic', () => {
  it("previews exactly what will be published: fresh ids and osloscope's own reply queue", async () => {
    expect(originalCall.id).toBeGreaterThan(127);
    const { status, body } = await api<ReplayPreview>(agent.baseUrl, '/api/replay/preview', { id: originalCall.id });
    expect(status).toBe(200);
    // oslo's own properties, nothing added: no header for an oslo consumer to misread.
    expect(body.properties).toEqual({
      content_type: 'application/json',
      content_encoding: 'utf-8',
      delivery_mode: 2,
      priority: 0,
      headers: {},
      expiration: String(originalCall.expirationMs),
    });
    expect(body).toMatchObject({
      originalId: originalCall.id,
      kind: 'call',
      exchange: 'openstack',
      routingKey: 'demo.node-a',
      method: 'echo',
      args: { value: 'original' },
      signed: false,
    });
    expect(body.uniqueId).not.toBe(originalCall.uniqueId);
    expect(body.msgId).not.toBe(originalCall.msgId);
    expect(body.replyQueue).toMatch(/^reply_osloscope_[0-9a-f]{32}$/);
    expect(body.signingNote).toMatch(/unsigned/);
    // The real token is published, but the preview never shows it (no --show-secrets).
    expect(body.body).not.toContain('gAAAAAB');
    expect(body.innerMessage).not.toContain('gAAAAAB');
    expect(body.context['auth_token']).toBe(REDACTED);
    expect(body.maskedFields).toContain('context.auth_token');
    expect(JSON.parse(JSON.parse(body.body)['oslo.message'])).toMatchObject({ _unique_id: body.uniqueId, _msg_id: body.msgId, _reply_q: body.replyQueue });
  });

  it('replays a captured call: the server executes it again and the reply is captured and linked', async () => {
    const preview = (await api<ReplayPreview>(agent.baseUrl, '/api/replay/preview', { id: originalCall.id })).body;
    const { status, body } = await api<ReplayResult>(agent.baseUrl, '/api/replay', { id: originalCall.id, previewId: preview.previewId, confirm: true });
    expect(status).toBe(200);
    expect(body.replayId).toBe(preview.uniqueId);
    expect(body.routed).toBe(true);
    expect(typeof body.id).toBe('number');
    await servers.waitForExecuted((c) => c.method === 'echo' && c.args['value'] === 'original', { count: 2 });
    expect((await executedEchoes('original')).map((c) => c.server)).toEqual(['node-a', 'node-a']);

    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.outcome?.status === 'ok');
    expect(replayed).toMatchObject({ replayOf: originalCall.id, uniqueId: preview.uniqueId, msgId: preview.msgId, kind: 'call', method: 'echo' });
    const reply = await waitForDetail(agent.baseUrl, replayed.outcome!.replyId!, (d) => d.requestId === replayed.id);
    expect(reply.kind).toBe('reply');
    expect(reply.reply?.result).toEqual({ echo: 'original', served_by: 'node-a' });
    expect(reply.routingKey).toBe(preview.replyQueue);

    const audit = (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items;
    await expect
      .poll(
        async () =>
          (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items.find((e) => e.replayId === body.replayId)?.outcome,
      )
      .toBe('ok');
    const entry = audit.find((e) => e.replayId === body.replayId)!;
    expect(entry).toMatchObject({ originalId: originalCall.id, exchange: 'openstack', routingKey: 'demo.node-a', method: 'echo' });
    // The audit log masks the token the replay really sent.
    expect(entry.sent).toContain(REDACTED);
    expect(entry.sent).not.toContain('gAAAAAB');
    expect(servers.consumeErrors()).toEqual([]);
  });

  it('replays a cast: it is delivered and executed again', async () => {
    expect(originalCast.id).toBeGreaterThan(255);
    const { status, body } = await api<ReplayResult>(agent.baseUrl, '/api/replay', { id: originalCast.id, confirm: true });
    expect(status).toBe(200);
    await servers.waitForExecuted((c) => c.method === 'record_event' && c.args['event'] === 'cast-original', { count: 2 });
    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.deliveries.length > 0);
    expect(replayed).toMatchObject({ kind: 'cast', replayOf: originalCast.id, routingKey: 'demo.node-b' });
    expect(servers.consumeErrors()).toEqual([]);
  });

  it('sends an edited arg to another server of the topic only once that target is confirmed, and audits it', async () => {
    const planned = { id: originalCall.id, edits: { args: { value: 'edited-by-replay' } }, target: { server: 'node-b' } };
    const request = { ...planned, confirm: true };
    const preview = (await api<ReplayPreview>(agent.baseUrl, '/api/replay/preview', planned)).body;
    expect(preview.retarget).toEqual({ from: 'openstack / demo.node-a', to: 'openstack / demo.node-b' });
    const unconfirmed = await replayAllowed<{ error: string }>(agent.baseUrl, request);
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error).toBe(
      'this replay goes to openstack / demo.node-b, not where the original went (openstack / demo.node-a): confirm the new target ("confirmTarget": true)',
    );
    expect((await servers.readExecuted()).some((c) => c.args['value'] === 'edited-by-replay')).toBe(false);

    const { status, body } = await replayAllowed<ReplayResult>(agent.baseUrl, { ...request, confirmTarget: true });
    expect(status).toBe(200);
    const audited = (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items.find((e) => e.replayId === body.replayId);
    expect(audited).toMatchObject({ routingKey: 'demo.node-b', retargetedFrom: 'openstack / demo.node-a' });
    const [executed] = await servers.waitForExecuted((c) => c.method === 'echo' && c.args['value'] === 'edited-by-replay');
    expect(executed?.server).toBe('node-b');
    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.outcome?.status === 'ok');
    expect(replayed).toMatchObject({ args: { value: 'edited-by-replay' }, replayOf: originalCall.id, server: 'node-b' });
    const reply = await waitForDetail(agent.baseUrl, replayed.outcome!.replyId!, (d) => d.requestId === replayed.id);
    expect(reply.reply?.result).toEqual({ echo: 'edited-by-replay', served_by: 'node-b' });
    expect(servers.consumeErrors()).toEqual([]);
  });

  it("says what the broker saw when a replayed call times out: routed to a stopped server's queue, never delivered", async () => {
    // oslo leaves a stopped server's `<topic>.<server>` queue behind, with no consumer.
    const gone = await startOsloServers({ transportUrl: vhost.url, servers: ['node-gone'] });
    await gone.stop();
    await runOsloClient({ transportUrl: vhost.url, method: 'echo', args: { value: 'short-timeout' }, timeout: 2, server: 'node-a' });
    const short = await waitForRecord(agent.baseUrl, 'method=echo&kind=call', (r) => r.args?.['value'] === 'short-timeout' && r.outcome?.status === 'ok');
    const { status, body } = await replayAllowed<ReplayResult>(agent.baseUrl, {
      id: short.id,
      target: { server: 'node-gone' },
      confirm: true,
      confirmTarget: true,
    });
    expect(status).toBe(200);
    expect(body.routed).toBe(true);
    const auditOf = async () =>
      (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items.find((e) => e.replayId === body.replayId);
    await expect.poll(async () => (await auditOf())?.outcome, { timeout: 15_000 }).toBe('timeout');
    expect((await auditOf())?.detail).toBe(
      'Timed out: no reply within 2 s. The broker routed it to demo.node-gone but never delivered it: no consumer took it from the queue.',
    );
    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.outcome?.status === 'timeout');
    expect(replayed).toMatchObject({ replayOf: short.id, deliveries: [] });
  });

  it("decodes a call and reply holding Python's NaN, and replays it byte for byte", async () => {
    // oslo serializes with Python's json, which writes float('nan') as a bare NaN token.
    await runOsloClient({ transportUrl: vhost.url, method: 'echo', argsJson: '{"value": NaN}', server: 'node-a' });
    const nan = { $float: 'NaN' };
    const call = await waitForRecord(
      agent.baseUrl,
      'method=echo&kind=call',
      (r) => JSON.stringify(r.args) === JSON.stringify({ value: nan }) && r.outcome?.status === 'ok',
    );
    expect(call.decodeError).toBeNull();
    const reply = await waitForDetail(agent.baseUrl, call.outcome!.replyId!, (d) => d.kind === 'reply');
    expect(reply.reply?.result).toEqual({ echo: nan, served_by: 'node-a' });

    const preview = (await api<ReplayPreview>(agent.baseUrl, '/api/replay/preview', { id: call.id })).body;
    expect(preview.innerMessage).toContain('"args": {"value": NaN}');
    const { body } = await replayAllowed<ReplayResult>(agent.baseUrl, { id: call.id, previewId: preview.previewId, confirm: true });
    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.outcome?.status === 'ok');
    // The server read NaN again (None would have come back as null) and answered with it.
    const replayReply = await waitForDetail(agent.baseUrl, replayed.outcome!.replyId!, (d) => d.kind === 'reply');
    expect(replayReply.reply?.result).toEqual({ echo: nan, served_by: 'node-a' });
    expect(servers.consumeErrors()).toEqual([]);
  });

  it('shows UnsupportedVersion when the server rejects the replayed version', async () => {
    const { status, body } = await replayAllowed<ReplayResult>(agent.baseUrl, { id: originalCall.id, edits: { version: '9.0' }, confirm: true });
    expect(status).toBe(200);
    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.outcome?.status === 'error');
    expect(replayed.outcome?.failure?.class).toBe('UnsupportedVersion');
    expect(replayed.replayOf).toBe(originalCall.id);
    await expect
      .poll(
        async () => (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items.find((e) => e.replayId === body.replayId)?.detail,
      )
      .toMatch(/^UnsupportedVersion/);
  });

  it('refuses without confirmation, with an invalid edited body and with the redacted mask', async () => {
    const noConfirm = await api<{ error: string }>(agent.baseUrl, '/api/replay', { id: originalCall.id });
    expect(noConfirm.status).toBe(400);
    expect(noConfirm.body.error).toMatch(/confirm/);
    const falseConfirm = await api<{ error: string }>(agent.baseUrl, '/api/replay', { id: originalCall.id, confirm: false });
    expect(falseConfirm.status).toBe(400);

    const badArgs = await api<{ error: string }>(agent.baseUrl, '/api/replay', { id: originalCall.id, edits: { args: ['not', 'a', 'dict'] }, confirm: true });
    expect(badArgs.status).toBe(400);
    expect(badArgs.body.error).toMatch(/edits\.args/);
    const badVersion = await api<{ error: string }>(agent.baseUrl, '/api/replay/preview', { id: originalCall.id, edits: { version: 'one' } });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error).toMatch(/edits\.version/);

    const masked = await api<{ error: string }>(agent.baseUrl, '/api/replay', {
      id: originalCall.id,
      edits: { context: { request_id: 'req-x', auth_token: REDACTED } },
      confirm: true,
    });
    expect(masked.status).toBe(400);
    expect(masked.body.error).toContain('context.auth_token');
    expect(masked.body.error).toMatch(/supply the real value or remove the field/);
    // Nothing was executed with the mask.
    expect((await servers.readExecuted()).some((c) => c.args['value'] === REDACTED)).toBe(false);
  });

  it('refuses to replay a reply', async () => {
    const reply = await api<{ error: string }>(agent.baseUrl, '/api/replay', { id: originalCall.outcome!.replyId!, confirm: true });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/only calls and casts/);
  });

  it('rate-limits replays with 429 and Retry-After', async () => {
    // Earlier tests used some of the 5-per-10-s budget; a burst must hit the limit.
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await api(agent.baseUrl, '/api/replay', { id: originalCast.id, confirm: true }));
    const limited = answers.find((a) => a.status === 429);
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((limited!.body as { error: string }).error).toMatch(/too many replays/);
  });
});

describe('replay with --read-only', () => {
  it('is refused whatever else is given, and health says so', async () => {
    const ro = await startAgent({ args: ['--transport-url', vhost.url, '--allow-replay', '--read-only', '--no-demo-fallback'] });
    try {
      expect((await api<{ readOnly: boolean; replayEnabled: boolean }>(ro.baseUrl, '/api/health')).body).toMatchObject({
        readOnly: true,
        replayEnabled: false,
      });
      for (const path of ['/api/replay', '/api/replay/preview']) {
        const res = await api<{ error: string }>(ro.baseUrl, path, { id: 1, confirm: true });
        expect(res.status).toBe(403);
        expect(res.body.error).toMatch(/--read-only/);
      }
    } finally {
      await ro.stop();
    }
  });
});

describe('replay without --allow-replay', () => {
  it('is refused with an explanation, and nothing is published', async () => {
    const off = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback'] });
    try {
      const before = (await servers.readExecuted()).length;
      await runOsloClient({ transportUrl: vhost.url, method: 'echo', args: { value: 'not-replayed' } });
      const call = await waitForRecord(off.baseUrl, 'method=echo&kind=call', (r) => r.args?.['value'] === 'not-replayed');
      for (const path of ['/api/replay', '/api/replay/preview']) {
        const res = await api<{ error: string }>(off.baseUrl, path, { id: call.id, confirm: true });
        expect(res.status).toBe(403);
        expect(res.body.error).toMatch(/--allow-replay/);
      }
      await new Promise((r) => setTimeout(r, 500));
      expect((await servers.readExecuted()).length).toBe(before + 1);
    } finally {
      await off.stop();
    }
  });
});
