import { describe, expect, it } from 'vitest';
import { withBodyOf, withoutBody, withoutContext, type EnvelopeRecord } from './record.js';

function call(overrides: Partial<EnvelopeRecord> = {}): EnvelopeRecord {
  return {
    id: 7,
    capturedAt: 1,
    source: 'rabbit',
    kind: 'reply',
    exchange: '',
    routingKey: 'reply_x',
    target: null,
    method: null,
    msgId: 'm',
    replyQueue: 'reply_x',
    uniqueId: 'u',
    args: { instance: 'i-1' },
    context: { user: 'admin' },
    server: null,
    client: null,
    outcome: null,
    requestId: 3,
    reply: { ending: true, heartbeat: false, failure: null, result: { ok: 1 } },
    reached: null,
    deliveries: [],
    notification: null,
    signature: { status: 'unsigned', reason: null },
    decodeError: null,
    envelopeVersion: '2.0',
    expirationMs: null,
    callMonitorTimeout: null,
    bodySize: 10,
    replayOf: null,
    ...overrides,
  };
}

describe('stream updates without body fields', () => {
  it('leave out args, context, result and payload, and get them back from the earlier version', () => {
    const first = call({
      notification: {
        eventType: 'e',
        publisherId: 'p',
        priority: 'info',
        messageId: 'n',
        timestamp: null,
        payload: { a: 1 },
      } as EnvelopeRecord['notification'],
    });
    const changed = { ...first, server: 'node-a' };
    const update = withoutBody(changed);
    expect([update.args, update.context, update.reply?.result, update.notification?.payload]).toEqual([null, null, null, null]);
    expect(update.server).toBe('node-a');
    // The record it was made from keeps its body (nested objects are copied, not changed).
    expect([changed.reply?.result, changed.notification?.payload]).toEqual([{ ok: 1 }, { a: 1 }]);
    expect(withBodyOf(update, first)).toEqual(changed);
  });
});

describe('new records in the stream', () => {
  it('leave out only the context, and the record they were made from keeps it', () => {
    const record = call();
    const streamed = withoutContext(record);
    expect(streamed).toEqual({ ...record, context: null });
    expect(record.context).toEqual({ user: 'admin' });
    const none = call({ context: null });
    expect(withoutContext(none)).toBe(none);
  });
});
