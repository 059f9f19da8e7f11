/** encode* → decodeMessage gives back what was encoded, for every message shape oslo sends. */
import { describe, expect, it } from 'vitest';
import type { RemoteFailure } from '../envelope.js';
import { decodeMessage } from './decode.js';
import { DEFAULT_CALL_TIMEOUT_MS, encodeNotification, encodeReply, encodeRequest, osloTimestamp } from './encode.js';
import type { EncodedMessage } from './types.js';
import { uuid4, uuid4Hex } from './uuid.js';

const decodeEncoded = (m: EncodedMessage) => decodeMessage(m);
const CONTEXT = { user: 'u1', project_id: 'p1', is_admin: false, roles: ['member'], auth_token: null };

describe('encode → decode round trips', () => {
  it('call to a topic: target, method, args, context, ids, timeouts, properties', () => {
    const msgId = uuid4Hex();
    const uniqueId = uuid4Hex();
    const m = encodeRequest({
      exchange: 'nova',
      topic: 'conductor',
      version: '1.5',
      method: 'build',
      args: { n: 1 },
      context: CONTEXT,
      msgId,
      replyQueue: 'reply_abc',
      callMonitorTimeout: 10,
      uniqueId,
      timeoutMs: 30000,
    });
    expect([m.exchange, m.routingKey, m.properties.expiration]).toEqual(['nova', 'conductor', '30000']);
    const e = decodeEncoded(m);
    expect(e.decodeError).toBeNull();
    expect(e).toMatchObject({
      kind: 'call',
      method: 'build',
      args: { n: 1 },
      context: CONTEXT,
      msgId,
      uniqueId,
      replyQueue: 'reply_abc',
      callMonitorTimeout: 10,
      expirationMs: 30000,
      envelopeVersion: '2.0',
      target: { exchange: 'nova', topic: 'conductor', namespace: null, version: '1.5', server: null, fanout: false },
    });
  });

  it('a call without timeoutMs gets oslo’s default 60 s expiration; a cast none', () => {
    const call = encodeRequest({ exchange: 'x', topic: 't', method: 'm', args: {}, msgId: 'a', replyQueue: 'r', uniqueId: 'u' });
    expect(decodeEncoded(call).expirationMs).toBe(DEFAULT_CALL_TIMEOUT_MS);
    const cast = encodeRequest({ exchange: 'x', topic: 't', method: 'm', args: {}, uniqueId: 'u', timeoutMs: 5 });
    expect(cast.properties.expiration).toBeUndefined();
    const e = decodeEncoded(cast);
    expect([e.kind, e.msgId, e.replyQueue, e.expirationMs, e.callMonitorTimeout]).toEqual(['cast', null, null, null, null]);
  });

  it('direct cast to a server with a namespace', () => {
    const m = encodeRequest({
      exchange: 'openstack',
      topic: 'compute',
      server: 'host-1.example.org',
      namespace: 'admin',
      method: 'm',
      args: {},
      uniqueId: 'u',
    });
    expect(m.routingKey).toBe('compute.host-1.example.org');
    expect(decodeEncoded(m).target).toEqual({
      exchange: 'openstack',
      topic: 'compute',
      namespace: 'admin',
      version: null,
      server: 'host-1.example.org',
      fanout: false,
    });
  });

  it('fanout cast', () => {
    const m = encodeRequest({ exchange: 'openstack', topic: 'scheduler', fanout: true, method: 'update', args: { a: [1, 2] }, uniqueId: 'u' });
    expect([m.exchange, m.routingKey]).toEqual(['scheduler_fanout', '']);
    const e = decodeEncoded(m);
    expect([e.kind, e.target?.fanout, e.target?.topic, e.args]).toEqual(['cast', true, 'scheduler', { a: [1, 2] }]);
  });

  it('non-ASCII and awkward strings survive (sent as \\u escapes, pure ASCII bytes)', () => {
    const args = { name: 'café ☃ 😀 \u0000 "quoted" \\ \u2028 \ud800', nested: { ключ: ['値', -0.5, 1.5e-7, 12345678901234] } };
    const m = encodeRequest({ exchange: 'x', topic: 't', method: 'mé', args, context: { usér: 'ü' }, uniqueId: 'u' });
    expect(m.body.every((b) => b < 0x80)).toBe(true);
    const e = decodeEncoded(m);
    expect(e.decodeError).toBeNull();
    expect([e.method, e.args, e.context]).toEqual(['mé', args, { usér: 'ü' }]);
  });

  it('replies: result, heartbeat, failure (with the _Remote suffix stripped)', () => {
    const ok = decodeEncoded(encodeReply({ replyQueue: 'reply_1', msgId: 'm', uniqueId: 'u', result: { x: [1] }, ending: true }));
    expect(ok).toMatchObject({ kind: 'reply', exchange: '', routingKey: 'reply_1', replyQueue: 'reply_1', msgId: 'm', uniqueId: 'u' });
    expect(ok.reply).toEqual({ result: { x: [1] }, failure: null, ending: true, heartbeat: false });

    const hb = decodeEncoded(encodeReply({ replyQueue: 'reply_1', msgId: 'm', uniqueId: 'u2', ending: false }));
    expect(hb.reply).toEqual({ result: null, failure: null, ending: false, heartbeat: true });

    const failure: RemoteFailure = {
      class: 'InstanceNotFound',
      module: 'nova.exception',
      message: 'Instance i-1 could not be found.',
      traceback: ['Traceback (most recent call last):\n', 'nova.exception.InstanceNotFound: Instance i-1 could not be found.\n'],
      args: [],
      kwargs: { instance_id: 'i-1', code: 404 },
    };
    const f = decodeEncoded(encodeReply({ replyQueue: 'reply_1', msgId: 'm', uniqueId: 'u3', failure, ending: true }));
    expect(f.reply).toEqual({ result: null, failure, ending: true, heartbeat: false });

    const remote = { ...failure, class: 'InstanceNotFound_Remote', module: 'nova.exception_Remote' };
    const r = decodeEncoded(encodeReply({ replyQueue: 'reply_1', msgId: 'm', uniqueId: 'u4', failure: remote, ending: true }));
    expect([r.reply?.failure?.class, r.reply?.failure?.module]).toEqual(['InstanceNotFound', 'nova.exception']);
  });

  it('a pre-4.0 first reply part (no ending key) decodes with ending null; old reply_<uuid> exchanges are replies too', () => {
    const body = new TextEncoder().encode(
      JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ result: 5, failure: null, _msg_id: 'm' }) }),
    );
    const e = decodeMessage({ exchange: 'reply_abc', routingKey: 'reply_abc', properties: {}, body });
    expect([e.kind, e.reply?.ending, e.reply?.heartbeat, e.reply?.result, e.replyQueue]).toEqual(['reply', null, false, 5, 'reply_abc']);
  });

  it('notifications, messagingv2 and legacy 1.0', () => {
    const messageId = uuid4();
    expect(messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const n = {
      exchange: 'nova',
      topic: 'versioned_notifications',
      priority: 'WARN',
      eventType: 'instance.update',
      publisherId: 'nova-compute:h1',
      payload: { nova_object: { state: 'ok' } },
      messageId,
      timestamp: osloTimestamp(Date.UTC(2026, 10, 29, 17, 32, 32, 501)),
      context: CONTEXT,
      uniqueId: 'u',
    };
    for (const legacy of [false, true]) {
      const m = encodeNotification({ ...n, legacy });
      expect(m.routingKey).toBe('versioned_notifications.warn');
      const e = decodeEncoded(m);
      expect(e.decodeError).toBeNull();
      expect(e.envelopeVersion).toBe(legacy ? null : '2.0');
      expect(e.target).toEqual({ exchange: 'nova', topic: 'versioned_notifications', namespace: null, version: null, server: null, fanout: false });
      expect(e.notification).toEqual({
        eventType: 'instance.update',
        priority: 'WARN',
        publisherId: 'nova-compute:h1',
        payload: n.payload,
        timestamp: '2026-11-29 17:32:32.501000',
        messageId,
      });
      expect(e.context).toEqual(CONTEXT);
    }
  });

  it('uuid4Hex gives 32 hex digits with the version-4 bits, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => uuid4Hex()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});
