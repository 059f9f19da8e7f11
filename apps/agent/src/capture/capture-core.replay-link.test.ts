import { describe, expect, it } from 'vitest';
import { encodeRequest, type RequestToEncode } from '@osloscope/shared';
import type { RawCapture } from '../ports/raw-capture.js';
import { createCaptureCore } from './capture-core.js';
import { seededDirectory, tempDataDir } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;

function call(uniqueId: string, headers: Record<string, unknown> = {}): RawCapture {
  const req: RequestToEncode = {
    exchange: 'openstack',
    topic: 'demo',
    method: 'echo',
    args: { v: 1 },
    context: {},
    uniqueId,
    msgId: 'm' + uniqueId,
    replyQueue: 'reply_x',
  };
  const m = encodeRequest(req);
  return {
    source: 'rabbit',
    receivedAt: T0,
    origin: 'tap',
    exchange: m.exchange,
    routingKey: m.routingKey,
    headers: {},
    properties: { ...m.properties, headers },
    body: m.body,
  };
}

describe('replay link', () => {
  it('links only the replays this agent published, known by their _unique_id; a header on the wire claims nothing', () => {
    const core = createCaptureCore({
      dataDir: tempDataDir(),
      retention: { maxMessages: 1000, maxBytes: 1e9 },
      showSecrets: false,
      directory: seededDirectory(),
      now: () => T0,
      timers: false,
    });
    core.ingest(call('a'.repeat(32)));
    const original = core.query({}, { limit: 1 }).items[0]!;
    // Any publisher can set the header older osloscope versions used: it is not a link.
    core.ingest(call('b'.repeat(32), { 'x-osloscope-replay-of': original.id }));
    core.ingest(call('c'.repeat(32), { 'x-osloscope-replay-of': String(original.id) }));
    core.linkReplay('d'.repeat(32), original.id);
    core.ingest(call('d'.repeat(32)));
    const byUniqueId = new Map(core.query({}, { limit: 10 }).items.map((r) => [r.uniqueId, r.replayOf]));
    expect(Object.fromEntries(byUniqueId)).toEqual({ ['a'.repeat(32)]: null, ['b'.repeat(32)]: null, ['c'.repeat(32)]: null, ['d'.repeat(32)]: original.id });
    core.close();
  });
});
