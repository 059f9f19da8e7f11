/** Builds realistic EnvelopeRecords for unit tests (shapes as the agent serves them). */
import type { EnvelopeRecord, TargetTuple } from '@osloscope/shared';

export function makeTarget(over: Partial<TargetTuple> = {}): TargetTuple {
  return { exchange: 'openstack', topic: 'demo', namespace: null, version: '1.2', server: null, fanout: false, ...over };
}

export function makeRecord(id: number, over: Partial<EnvelopeRecord> = {}): EnvelopeRecord {
  return {
    id,
    capturedAt: 1_800_000_000_000 + id,
    source: 'default',
    kind: 'call',
    exchange: 'openstack',
    routingKey: 'demo',
    target: makeTarget(),
    method: 'echo',
    msgId: `msg-${id}`,
    replyQueue: 'reply_241f701b35c04f16b8c28f0e4e67dd18',
    uniqueId: `u-${id}`,
    args: { value: 'a' },
    context: { user_id: 'demo-user', auth_token: '***' },
    server: 'node-a',
    client: { replyQueue: 'reply_241f', connection: '127.0.0.1:54338 -> 127.0.0.1:5672', process: 'python3:12137:abcd' },
    outcome: { status: 'ok', latencyMs: 12, replyId: null, failure: null, heartbeats: 0 },
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
    bodySize: 300,
    replayOf: null,
    ...over,
  };
}
