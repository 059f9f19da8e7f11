/**
 * The real firehose capture (shared/test/fixtures/oslo-firehose-sample.jsonl) decodes to what
 * its README says, line by line, and oslo's own bodies re-encode to the same bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DecodedEnvelope, TargetTuple } from '../envelope.js';
import { decodeTraceEvent } from './trace-event.js';
import { encodeNotification, encodeReply, encodeRequest, type RequestToEncode } from './encode.js';
import type { TraceEvent } from './types.js';

interface FixtureLine {
  routingKey: string;
  properties: { headers: Record<string, unknown> };
  bodyBase64: string;
}

const FIXTURE = new URL('../../test/fixtures/oslo-firehose-sample.jsonl', import.meta.url);
const lines: FixtureLine[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as FixtureLine);

function traceEvent(line: FixtureLine): TraceEvent {
  return {
    routingKey: line.routingKey,
    headers: line.properties.headers,
    body: new Uint8Array(Buffer.from(line.bodyBase64, 'base64')),
  };
}

/** 1-based line number → decoded envelope. */
const decoded = new Map<number, DecodedEnvelope>(lines.map((l, i) => [i + 1, decodeTraceEvent(traceEvent(l))]));
const env = (n: number): DecodedEnvelope => decoded.get(n)!;

const REPLY_Q = 'reply_241f701b35c04f16b8c28f0e4e67dd18';
const FANOUT_A = 'demo_fanout_c714412591334f11a08d5f8a61897c60';
const FANOUT_B = 'demo_fanout_273fb5511e144a2a820c894baa5bea0c';
const conn = (port: number): string => `127.0.0.1:${port} -> 127.0.0.1:5672`;

const topic = (version: string | null, namespace: string | null = null, server: string | null = null): TargetTuple => ({
  exchange: 'openstack',
  topic: 'demo',
  namespace,
  version,
  server,
  fanout: false,
});
const fanout: TargetTuple = { exchange: 'demo_fanout', topic: 'demo', namespace: null, version: '1.0', server: null, fanout: true };
const notifTarget = (t: string): TargetTuple => ({ exchange: 'openstack', topic: t, namespace: null, version: null, server: null, fanout: false });

interface Row {
  line: number;
  event: 'publish' | 'deliver';
  /** deliver only */
  queue?: string;
  port: number;
  kind: DecodedEnvelope['kind'];
  target?: TargetTuple | null;
  method?: string;
  msgId?: boolean;
  expirationMs?: number | null;
  failureClass?: string;
  ending?: boolean | null;
  heartbeat?: boolean;
}

/** The README's line-by-line index. */
const call = (line: number, method: string, target: TargetTuple, expirationMs = 60000): Row => ({
  line,
  event: 'publish',
  port: 54338,
  kind: 'call',
  method,
  target,
  msgId: true,
  expirationMs,
});
const deliverCall = (line: number, port: number, method: string, target: TargetTuple, queue = 'demo'): Row => ({
  line,
  event: 'deliver',
  queue,
  port,
  kind: 'call',
  method,
  target,
  msgId: true,
});
const reply = (line: number, port: number, extra: Partial<Row> = {}): Row => ({
  line,
  event: 'publish',
  port,
  kind: 'reply',
  target: null,
  msgId: true,
  ending: true,
  heartbeat: false,
  ...extra,
});
const deliverReply = (line: number, extra: Partial<Row> = {}): Row => ({
  line,
  event: 'deliver',
  queue: REPLY_Q,
  port: 54328,
  kind: 'reply',
  target: null,
  msgId: true,
  ending: true,
  heartbeat: false,
  ...extra,
});

const TABLE: Row[] = [
  call(1, 'echo', topic('1.2')),
  deliverCall(2, 54310, 'echo', topic('1.2')),
  reply(3, 54340),
  deliverReply(4),
  call(5, 'echo', topic('1.2')),
  deliverCall(6, 54324, 'echo', topic('1.2')),
  reply(7, 54342),
  deliverReply(8),
  { line: 9, event: 'publish', port: 54338, kind: 'cast', method: 'record_event', target: topic('1.0'), msgId: false, expirationMs: null },
  { line: 10, event: 'deliver', queue: 'demo', port: 54310, kind: 'cast', method: 'record_event', target: topic('1.0'), msgId: false },
  call(11, 'echo', topic('1.1', null, 'node-b')),
  deliverCall(12, 54324, 'echo', topic('1.1', null, 'node-b'), 'demo.node-b'),
  reply(13, 54342),
  deliverReply(14),
  { line: 15, event: 'publish', port: 54338, kind: 'cast', method: 'refresh_cache', target: fanout, msgId: false, expirationMs: null },
  { line: 16, event: 'deliver', queue: FANOUT_A, port: 54310, kind: 'cast', method: 'refresh_cache', target: fanout, msgId: false },
  { line: 17, event: 'deliver', queue: FANOUT_B, port: 54324, kind: 'cast', method: 'refresh_cache', target: fanout, msgId: false },
  call(18, 'fail_value_error', topic('1.0')),
  deliverCall(19, 54324, 'fail_value_error', topic('1.0')),
  reply(20, 54342, { failureClass: 'ValueError' }),
  deliverReply(21, { failureClass: 'ValueError' }),
  call(22, 'echo', topic('2.0')),
  deliverCall(23, 54310, 'echo', topic('2.0')),
  reply(24, 54340, { failureClass: 'UnsupportedVersion' }),
  deliverReply(25, { failureClass: 'UnsupportedVersion' }),
  call(26, 'reboot_instance', topic('1.0')),
  deliverCall(27, 54324, 'reboot_instance', topic('1.0')),
  reply(28, 54342, { failureClass: 'NoSuchMethod' }),
  deliverReply(29, { failureClass: 'NoSuchMethod' }),
  call(30, 'get_stats', topic('2.1', 'admin')),
  deliverCall(31, 54310, 'get_stats', topic('2.1', 'admin')),
  reply(32, 54340),
  deliverReply(33),
  call(34, 'slow', topic('1.0'), 30000),
  deliverCall(35, 54324, 'slow', topic('1.0')),
  reply(36, 54342, { ending: false, heartbeat: true }),
  deliverReply(37, { ending: false, heartbeat: true }),
  reply(38, 54342, { ending: false, heartbeat: true }),
  deliverReply(39, { ending: false, heartbeat: true }),
  reply(40, 54342),
  deliverReply(41),
  call(42, 'echo', topic('1.1')),
  deliverCall(43, 54310, 'echo', topic('1.1')),
  reply(44, 54340),
  deliverReply(45),
  { line: 46, event: 'publish', port: 52892, kind: 'notification', target: notifTarget('notifications'), msgId: false },
  { line: 47, event: 'deliver', queue: 'notifications.info', port: 54320, kind: 'notification', target: notifTarget('notifications'), msgId: false },
  { line: 48, event: 'publish', port: 52892, kind: 'notification', target: notifTarget('notifications'), msgId: false },
  { line: 49, event: 'deliver', queue: 'notifications.error', port: 54320, kind: 'notification', target: notifTarget('notifications'), msgId: false },
  call(50, 'echo', topic('1.0', null, 'node-z'), 2000),
  { line: 51, event: 'publish', port: 52892, kind: 'notification', target: notifTarget('notifications'), msgId: false },
  { line: 52, event: 'deliver', queue: 'notifications.info', port: 54320, kind: 'notification', target: notifTarget('notifications'), msgId: false },
];

describe('firehose fixture, line by line', () => {
  it('has 52 lines and a table row for each', () => {
    expect(lines).toHaveLength(52);
    expect(TABLE.map((r) => r.line)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
  });

  it.each(TABLE)('line $line: $event $kind', (row) => {
    const e = env(row.line);
    expect(e.decodeError).toBeNull();
    expect(e.kind).toBe(row.kind);
    expect(e.broker?.event).toBe(row.event);
    expect(e.broker?.queue).toBe(row.event === 'deliver' ? row.queue : null);
    expect(e.broker?.connection).toBe(conn(row.port));
    expect(e.broker?.node).toBe('rabbit@vm');
    expect(e.broker?.vhost).toBe('/');
    expect(e.broker?.user).toBe('guest');
    expect(e.broker?.channel).toBe(1);
    expect(e.broker?.redelivered).toBe(row.event === 'deliver' ? false : null);
    if (row.target !== undefined) expect(e.target).toEqual(row.target);
    if (row.method !== undefined) expect(e.method).toBe(row.method);
    if (row.msgId !== undefined) expect(e.msgId !== null).toBe(row.msgId);
    if (row.expirationMs !== undefined) expect(e.expirationMs).toBe(row.expirationMs);
    if (row.kind === 'reply') {
      expect(e.exchange).toBe('');
      expect(e.routingKey).toBe(REPLY_Q);
      expect(e.replyQueue).toBe(REPLY_Q);
      expect(e.reply?.ending).toBe(row.ending);
      expect(e.reply?.heartbeat).toBe(row.heartbeat);
      expect(e.reply?.failure?.class ?? null).toBe(row.failureClass ?? null);
    } else {
      expect(e.reply).toBeNull();
    }
    if (row.kind === 'call') expect(e.replyQueue).toBe(REPLY_Q);
    if (row.kind === 'call' || row.kind === 'cast' || row.kind === 'notification') {
      expect(e.context).toMatchObject({ user: 'demo-user', project_id: 'demo-project', request_id: 'req-0b5e5c1e-fixture', auth_token: null });
    }
    expect(e.envelopeVersion).toBe(row.line >= 51 ? null : '2.0');
    expect(e.secure).toBeNull();
    expect(e.compression).toBeNull();
    expect(e.bodySize).toBe(Buffer.from(lines[row.line - 1]!.bodyBase64, 'base64').length);
  });

  it('lines 15 and 50: routed queues (both fanout queues; [] = unroutable)', () => {
    expect(env(15).broker?.routedQueues).toEqual([FANOUT_B, FANOUT_A]);
    expect(env(50).broker?.routedQueues).toEqual([]);
    expect(env(1).broker?.routedQueues).toEqual(['demo']);
    expect(env(2).broker?.routedQueues).toBeNull();
    expect(env(15).routingKey).toBe('');
  });

  it('line 34: call monitor timeout and expiration; lines 36-40: heartbeats then the final reply', () => {
    expect(env(34).callMonitorTimeout).toBe(2);
    expect(env(34).args).toEqual({ seconds: 2.5 });
    expect(env(1).callMonitorTimeout).toBeNull();
    for (const n of [36, 38]) expect(env(n).reply).toEqual({ result: null, failure: null, ending: false, heartbeat: true });
    expect(env(40).reply).toEqual({ result: 'slept 2.5', failure: null, ending: true, heartbeat: false });
    expect(new Set([34, 36, 38, 40].map((n) => env(n).msgId)).size).toBe(1);
  });

  it('lines 3, 20, 24, 28: results and remote failures', () => {
    expect(env(3).reply?.result).toEqual({ echo: 'a', served_by: 'node-a' });
    const valueError = env(20).reply?.failure;
    expect(valueError).toMatchObject({
      class: 'ValueError',
      module: 'builtins',
      message: 'amount must be positive, got -5',
      args: ['amount must be positive, got -5'],
      kwargs: {},
    });
    expect(valueError?.traceback[0]).toBe('Traceback (most recent call last):\n');
    expect(valueError?.traceback.at(-1)).toBe('ValueError: amount must be positive, got -5\n');
    expect(env(24).reply?.failure).toMatchObject({
      class: 'UnsupportedVersion',
      module: 'oslo_messaging.rpc.dispatcher',
      message: 'Endpoint does not support RPC version 2.0. Attempted method: echo',
    });
    expect(env(28).reply?.failure).toMatchObject({ class: 'NoSuchMethod', message: 'Endpoint does not support RPC method reboot_instance' });
  });

  it('lines 46, 48, 51: notification fields', () => {
    expect(env(46).notification).toEqual({
      eventType: 'compute.instance.create.end',
      priority: 'INFO',
      publisherId: 'compute.node-a',
      payload: { instance_id: 'i-1', state: 'active' },
      timestamp: '2026-11-29 17:32:32.501119',
      messageId: '0e510098-c3d4-4df9-b260-3c2d6bd34ef6',
    });
    expect(env(46).routingKey).toBe('notifications.info');
    expect(env(48).notification).toMatchObject({
      eventType: 'compute.instance.create.error',
      priority: 'ERROR',
      payload: { instance_id: 'i-2', reason: 'No valid host' },
    });
    expect(env(48).routingKey).toBe('notifications.error');
    expect(env(51).notification).toEqual({
      eventType: 'compute.instance.delete.end',
      priority: 'INFO',
      publisherId: 'compute.node-a',
      payload: { instance_id: 'i-1' },
      timestamp: '2026-11-29 17:32:36.216628',
      messageId: 'c6e04ccb-6c29-4443-9df3-57d283bdd9d9',
    });
    expect(env(51).uniqueId).toBe('8c79d8e240b448eaaba43597b2cfe076');
  });

  it('every call request has a reply with the same _msg_id, except line 50 (nobody listens)', () => {
    const callLines = TABLE.filter((r) => r.kind === 'call' && r.event === 'publish').map((r) => r.line);
    expect(callLines).toEqual([1, 5, 11, 18, 22, 26, 30, 34, 42, 50]);
    const replyIds = new Set(TABLE.filter((r) => r.kind === 'reply').map((r) => env(r.line).msgId));
    const unanswered = callLines.filter((n) => !replyIds.has(env(n).msgId));
    expect(unanswered).toEqual([50]);
    for (const n of callLines) expect(env(n).msgId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a deliver event carries the same message as its publish (same _unique_id)', () => {
    expect(env(2).uniqueId).toBe(env(1).uniqueId);
    expect(env(16).uniqueId).toBe(env(15).uniqueId);
    expect(env(17).uniqueId).toBe(env(15).uniqueId);
  });
});

/** Rebuild the encoder input from a decoded envelope. */
function reencode(e: DecodedEnvelope) {
  if (e.kind === 'call' || e.kind === 'cast') {
    const t = e.target!;
    const req: RequestToEncode = {
      exchange: t.exchange,
      topic: t.topic!,
      server: t.server,
      fanout: t.fanout,
      namespace: t.namespace,
      version: t.version,
      method: e.method!,
      args: e.args!,
      context: e.context!,
      uniqueId: e.uniqueId!,
    };
    if (e.kind === 'call') {
      req.msgId = e.msgId!;
      req.replyQueue = e.replyQueue!;
      req.callMonitorTimeout = e.callMonitorTimeout;
      req.timeoutMs = e.expirationMs!;
    }
    return encodeRequest(req);
  }
  if (e.kind === 'reply') {
    return encodeReply({
      replyQueue: e.routingKey,
      msgId: e.msgId!,
      uniqueId: e.uniqueId!,
      result: e.reply!.result,
      failure: e.reply!.failure,
      ending: e.reply!.ending!,
    });
  }
  const n = e.notification!;
  return encodeNotification({
    exchange: e.exchange,
    topic: e.target!.topic!,
    priority: n.priority!,
    eventType: n.eventType!,
    publisherId: n.publisherId!,
    payload: n.payload,
    messageId: n.messageId!,
    timestamp: n.timestamp!,
    context: e.context!,
    uniqueId: e.uniqueId!,
    legacy: e.envelopeVersion === null,
  });
}

describe('re-encoding the fixture bodies', () => {
  const publishes = TABLE.filter((r) => r.event === 'publish').map((r) => r.line);

  it('covers every publish: all 26: 10 calls, 2 casts, 11 replies, 3 notifications (incl. legacy 1.0)', () => {
    const kinds = publishes.map((n) => env(n).kind);
    expect(kinds.filter((k) => k === 'call')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'cast')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'reply')).toHaveLength(11);
    expect(kinds.filter((k) => k === 'notification')).toHaveLength(3);
  });

  it.each(publishes)('line %i re-encodes to the exact bytes, exchange, routing key and properties', (n) => {
    const line = lines[n - 1]!;
    const headers = line.properties.headers as { exchange_name: string; routing_keys: string[]; properties: object };
    const out = reencode(env(n));
    expect(Buffer.from(out.body).toString('latin1')).toBe(Buffer.from(line.bodyBase64, 'base64').toString('latin1'));
    expect(out.exchange).toBe(headers.exchange_name);
    expect(out.routingKey).toBe(headers.routing_keys[0]);
    expect(out.properties).toEqual(headers.properties);
  });
});
