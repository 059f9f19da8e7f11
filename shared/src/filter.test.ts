import { describe, expect, it } from 'vitest';
import type { TargetTuple } from './envelope.js';
import type { EnvelopeFilter } from './filter-types.js';
import { ARGS_TEXT_LIMIT, describeFilter, filterFromSearchParams, filterSearchFields, filterToSearchParams, isEmptyFilter, matchesFilter } from './filter.js';
import type { EnvelopeRecord } from './record.js';

const REPLY_Q = 'reply_241f701b35c04f16b8c28f0e4e67dd18';

function target(over: Partial<TargetTuple> = {}): TargetTuple {
  return { exchange: 'openstack', topic: 'demo', namespace: null, version: '1.2', server: null, fanout: false, ...over };
}

function record(over: Partial<EnvelopeRecord> = {}): EnvelopeRecord {
  return {
    id: 1,
    capturedAt: 1_795_000_000_000,
    source: 'test',
    kind: 'call',
    exchange: 'openstack',
    routingKey: 'demo',
    target: target(),
    method: 'echo',
    msgId: 'a70209202cb740a9b864a75acf5222e3',
    replyQueue: REPLY_Q,
    uniqueId: '4721d4862fd045609bbb689f037cba04',
    args: { value: 'a' },
    context: null,
    server: null,
    client: null,
    outcome: { status: 'ok', latencyMs: 12, replyId: 3, failure: null, heartbeats: 0 },
    requestId: null,
    reply: null,
    reached: null,
    deliveries: [],
    notification: null,
    signature: { status: 'unsigned', reason: null },
    decodeError: null,
    envelopeVersion: '2.0',
    expirationMs: 60000,
    callMonitorTimeout: null,
    bodySize: 900,
    replayOf: null,
    ...over,
  };
}

// Shaped after fixture lines 1-3 (call echo taken by node-a), 11 (direct to node-b),
// 15-17 (fanout), 24 (UnsupportedVersion reply), 30 (admin namespace), 46 (notification).
const callToTopic = record({
  server: 'node-a',
  deliveries: [{ queue: 'demo', connection: '127.0.0.1:54310 -> 127.0.0.1:5672', server: 'node-a', redelivered: false, at: 1 }],
});
const directCall = record({ id: 11, routingKey: 'demo.node-b', target: target({ server: 'node-b', version: '1.1' }) });
const fanout = record({
  id: 15,
  kind: 'cast',
  exchange: 'demo_fanout',
  routingKey: '',
  target: target({ exchange: 'demo_fanout', fanout: true, version: null }),
  method: 'refresh_cache',
  args: {},
  msgId: null,
  replyQueue: null,
  outcome: null,
  reached: ['node-a', 'node-b'],
});
const failedReply = record({
  id: 24,
  kind: 'reply',
  exchange: '',
  routingKey: REPLY_Q,
  target: null,
  method: null,
  replyQueue: null,
  args: null,
  outcome: null,
  requestId: 22,
  reply: {
    ending: true,
    heartbeat: false,
    result: null,
    failure: {
      class: 'UnsupportedVersion',
      module: 'oslo_messaging.rpc.dispatcher',
      message: 'Endpoint does not support RPC version 2.0. Attempted method: echo',
      traceback: [],
      args: [],
      kwargs: {},
    },
  },
});
const adminCall = record({ id: 30, method: 'get_stats', target: target({ namespace: 'admin', version: '2.1' }), args: {} });
const notification = record({
  id: 46,
  kind: 'notification',
  routingKey: 'notifications.info',
  target: target({ topic: 'notifications', version: null }),
  method: null,
  msgId: null,
  replyQueue: null,
  args: null,
  outcome: null,
  notification: {
    eventType: 'compute.instance.create.end',
    priority: 'INFO',
    publisherId: 'compute.node-a',
    payload: { instance_id: 'i-1' },
    timestamp: '2026-11-29 17:32:32.501119',
    messageId: '0e510098-c3d4-4df9-b260-3c2d6bd34ef6',
  },
});
const all = [callToTopic, directCall, fanout, failedReply, adminCall, notification];

function ids(f: EnvelopeFilter): number[] {
  return all.filter((r) => matchesFilter(r, f)).map((r) => r.id);
}

describe('matchesFilter', () => {
  it('an empty filter matches everything', () => {
    expect(ids({})).toEqual([1, 11, 15, 24, 30, 46]);
  });

  it('exchange matches the publish exchange or the target exchange; "" is the default exchange', () => {
    expect(ids({ exchange: 'openstack' })).toEqual([1, 11, 30, 46]);
    expect(ids({ exchange: 'demo_fanout' })).toEqual([15]);
    expect(ids({ exchange: '' })).toEqual([24]);
    const replyWithRequestTarget = record({ ...failedReply, target: target() });
    expect(matchesFilter(replyWithRequestTarget, { exchange: 'openstack' })).toBe(true);
  });

  it('topic matches the target topic', () => {
    expect(ids({ topic: 'demo' })).toEqual([1, 11, 15, 30]);
    expect(ids({ topic: 'notifications' })).toEqual([46]);
  });

  it('server matches the direct target, the handling server, fanout reach and deliveries', () => {
    expect(ids({ server: 'node-b' })).toEqual([11, 15]);
    expect(ids({ server: 'node-a' })).toEqual([1, 15]);
    const delivered = record({ deliveries: [{ queue: 'demo', connection: null, server: 'node-c', redelivered: false, at: 1 }] });
    expect(matchesFilter(delivered, { server: 'node-c' })).toBe(true);
    expect(matchesFilter(delivered, { server: 'node-d' })).toBe(false);
  });

  it('a reply matches target filters only through the request target the agent copied onto it', () => {
    expect(matchesFilter(failedReply, { topic: 'demo' })).toBe(false);
    const correlated = record({ ...failedReply, target: target({ version: '2.0' }), server: 'node-a' });
    expect(matchesFilter(correlated, { topic: 'demo', server: 'node-a', version: '2.0', kind: 'reply' })).toBe(true);
  });

  it('namespace "" and "default" match the default (null) namespace', () => {
    expect(ids({ namespace: 'admin' })).toEqual([30]);
    expect(ids({ namespace: '' })).toEqual([1, 11, 15, 46]);
    expect(ids({ namespace: 'default' })).toEqual([1, 11, 15, 46]);
  });

  it('method, version and kind match exactly', () => {
    expect(ids({ method: 'echo' })).toEqual([1, 11]);
    expect(ids({ method: 'ech' })).toEqual([]);
    expect(ids({ version: '1.1' })).toEqual([11]);
    expect(ids({ version: '1.0' })).toEqual([]); // no implicit "1.0" for missing versions
    expect(ids({ kind: 'cast' })).toEqual([15]);
  });

  it('outcome applies to calls, signature to every record', () => {
    const timedOut = record({ id: 50, outcome: { status: 'timeout', latencyMs: null, replyId: null, failure: null, heartbeats: 0 } });
    expect(matchesFilter(timedOut, { outcome: 'timeout' })).toBe(true);
    expect(ids({ outcome: 'ok' })).toEqual([1, 11, 30]);
    expect(ids({ outcome: 'error' })).toEqual([]);
    const failedSig = record({ signature: { status: 'failed', reason: 'InvalidSignature' } });
    expect(matchesFilter(failedSig, { signature: 'failed' })).toBe(true);
    expect(ids({ signature: 'failed' })).toEqual([]);
  });

  it('ANDs the set fields', () => {
    expect(ids({ topic: 'demo', server: 'node-b', kind: 'call' })).toEqual([11]);
    expect(ids({ topic: 'demo', method: 'get_stats', namespace: '' })).toEqual([]);
  });

  describe('text', () => {
    it.each([
      ['ECHO', [1, 11, 24]], // method, and the reply's failure message mentions echo
      ['unsupportedversion', [24]], // failure class
      ['demo.node-b', [11]], // routing key
      ['241f701b', [1, 11, 24, 30]], // reply queue / reply routing key
      ['a70209', [1, 11, 24, 30]], // msg id: calls and the reply (casts and notifications have none)
      ['4721d486', [1, 11, 15, 24, 30, 46]], // unique id
      ['create.end', [46]], // event type
      ['compute.node-a', [46]], // publisher id
      ['"value":"a"', [1, 11]], // args JSON
      ['  refresh_cache ', [15]], // trimmed
      ['no such thing', []],
    ] as const)('%j finds %j', (text, expected) => {
      expect(ids({ text })).toEqual(expected);
    });

    it('finds a server through fanout reach', () => {
      expect(ids({ text: 'node-b' })).toEqual([11, 15]);
    });

    it('scans only the first ARGS_TEXT_LIMIT characters of args', () => {
      const big = record({ args: { blob: 'x'.repeat(ARGS_TEXT_LIMIT), tail: 'needle' } });
      expect(matchesFilter(big, { text: 'needle' })).toBe(false);
      const small = record({ args: { tail: 'needle', blob: 'x'.repeat(ARGS_TEXT_LIMIT) } });
      expect(matchesFilter(small, { text: 'needle' })).toBe(true);
    });

    it('a blank text does not restrict', () => {
      expect(ids({ text: '   ' })).toEqual([1, 11, 15, 24, 30, 46]);
    });
  });
});

describe('filterSearchFields', () => {
  it('lists the non-empty searchable strings of a record', () => {
    expect(filterSearchFields(failedReply)).toEqual([
      REPLY_Q,
      'a70209202cb740a9b864a75acf5222e3',
      '4721d4862fd045609bbb689f037cba04',
      'UnsupportedVersion',
      'Endpoint does not support RPC version 2.0. Attempted method: echo',
    ]);
  });
});

describe('isEmptyFilter', () => {
  it('is true only when nothing restricts', () => {
    expect(isEmptyFilter({})).toBe(true);
    expect(isEmptyFilter({ text: '  ' })).toBe(true);
    expect(isEmptyFilter({ exchange: '' })).toBe(false);
    expect(isEmptyFilter({ kind: 'call' })).toBe(false);
  });
});

describe('search params', () => {
  it('writes set fields in a stable order, encoded', () => {
    expect(filterToSearchParams({ topic: 'compute', exchange: 'nova', text: 'boot failed&x' })).toBe('exchange=nova&topic=compute&text=boot%20failed%26x');
    expect(filterToSearchParams({})).toBe('');
  });

  it('round-trips through URLSearchParams', () => {
    const f: EnvelopeFilter = {
      exchange: '',
      topic: 'compute',
      server: 'cmp-01',
      namespace: '',
      method: 'build_and_run_instance',
      version: '6.0',
      kind: 'call',
      outcome: 'error',
      signature: 'failed',
      text: 'ünïcode & spaces',
    };
    expect(filterFromSearchParams(new URLSearchParams(filterToSearchParams(f)))).toEqual(f);
  });

  it('reads records, drops unknown keys, invalid enums and meaningless empties', () => {
    expect(
      filterFromSearchParams({
        exchange: '',
        namespace: '',
        topic: '',
        text: '',
        kind: 'rpc',
        outcome: 'error',
        signature: 'bogus',
        page: '2',
        method: undefined,
      }),
    ).toEqual({ exchange: '', namespace: '', outcome: 'error' });
  });

  it('keeps the last valid value of a repeated key', () => {
    expect(
      filterFromSearchParams([
        ['kind', 'cast'],
        ['kind', 'nonsense'],
        ['topic', 'a'],
        ['topic', 'b'],
      ]),
    ).toEqual({ kind: 'cast', topic: 'b' });
  });
});

describe('describeFilter', () => {
  it('lists set fields, quoting empty and spaced values', () => {
    expect(describeFilter({ exchange: 'nova', topic: 'compute' })).toBe('exchange=nova topic=compute');
    expect(describeFilter({ namespace: '', text: 'boot failed' })).toBe('namespace="" text="boot failed"');
    expect(describeFilter({})).toBe('');
  });
});
