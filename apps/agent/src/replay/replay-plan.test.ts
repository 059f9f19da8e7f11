import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeReply, encodeRequest, osloProperties, REDACTED, type RequestToEncode } from '@osloscope/shared';
import { planReplay, type PlanInputs } from './replay-plan.js';

const originalCall: RequestToEncode = {
  exchange: 'openstack',
  topic: 'demo',
  version: '1.3',
  method: 'echo',
  args: { value: 'hello' },
  context: { request_id: 'req-1', auth_token: 'gAAAAABsecret' },
  msgId: 'a'.repeat(32),
  replyQueue: 'reply_' + 'b'.repeat(32),
  uniqueId: 'c'.repeat(32),
  timeoutMs: 30_000,
};

function inputs(req: RequestToEncode, extra: Partial<PlanInputs> = {}): PlanInputs {
  const enc = encodeRequest(req);
  return {
    original: { id: 7, exchange: enc.exchange, routingKey: enc.routingKey, expirationMs: req.msgId ? (req.timeoutMs ?? 60_000) : null, body: enc.body },
    source: 'rabbit-1',
    uniqueId: 'd'.repeat(32),
    msgId: 'e'.repeat(32),
    replyQueue: 'reply_osloscope_' + 'f'.repeat(32),
    sign: () => ({ body: null, note: 'unsigned: no signing keys configured' }),
    ...extra,
  };
}

function sent(result: ReturnType<typeof planReplay>) {
  if (!result.ok) throw new Error(result.error);
  return { ...result, decoded: decodeMessage(result.message) };
}

describe('planReplay', () => {
  it('republishes a call with fresh ids, osloscope reply queue and the original expiration', () => {
    const { decoded, preview, message } = sent(planReplay(inputs(originalCall)));
    expect(decoded.kind).toBe('call');
    expect(decoded.method).toBe('echo');
    expect(decoded.args).toEqual({ value: 'hello' });
    expect(decoded.context).toEqual({ request_id: 'req-1', auth_token: 'gAAAAABsecret' });
    expect(decoded.uniqueId).toBe('d'.repeat(32));
    expect(decoded.msgId).toBe('e'.repeat(32));
    expect(decoded.replyQueue).toBe('reply_osloscope_' + 'f'.repeat(32));
    expect(message.exchange).toBe('openstack');
    expect(message.routingKey).toBe('demo');
    expect(message.properties.expiration).toBe('30000');
    // Exactly oslo's own properties: no header of osloscope's for an oslo consumer to misread.
    expect(message.properties).toEqual(osloProperties(30_000));
    expect(preview.body).toBe(Buffer.from(message.body).toString('utf8'));
    expect(preview.timeoutMs).toBe(30_000);
    expect(preview.signed).toBe(false);
  });

  it('republishes a cast without _msg_id or reply queue', () => {
    const { msgId: _m, replyQueue: _r, timeoutMs: _t, ...cast } = originalCall;
    const { decoded, preview, message } = sent(planReplay(inputs(cast)));
    expect(decoded.kind).toBe('cast');
    expect(decoded.msgId).toBeNull();
    expect(preview.replyQueue).toBeNull();
    expect(message.properties.expiration).toBeUndefined();
  });

  it('applies edits of args, method, version and a server target', () => {
    const { decoded, message } = sent(
      planReplay(inputs(originalCall, { edits: { args: { value: 'edited' }, method: 'record_event', version: '9.0' }, target: { server: 'node-b' } })),
    );
    expect(decoded.args).toEqual({ value: 'edited' });
    expect(decoded.method).toBe('record_event');
    expect(decoded.target?.version).toBe('9.0');
    expect(message.routingKey).toBe('demo.node-b');
  });

  it('refuses the redacted mask, naming the field', () => {
    const r = planReplay(inputs(originalCall, { edits: { context: { request_id: 'req-1', auth_token: REDACTED } } }));
    expect(r).toEqual({ ok: false, error: expect.stringContaining('context.auth_token') });
    expect(r.ok ? '' : r.error).toMatch(/redacted mask.*supply the real value or remove the field/);
  });

  it('refuses a malformed version and an empty method', () => {
    expect(planReplay(inputs(originalCall, { edits: { version: 'latest' } }))).toMatchObject({ ok: false, error: expect.stringContaining('edits.version') });
    expect(planReplay(inputs(originalCall, { edits: { method: ' ' } }))).toMatchObject({ ok: false, error: expect.stringContaining('edits.method') });
  });

  it('refuses to replay a reply or a body that is not an oslo message', () => {
    const reply = encodeReply({ replyQueue: 'reply_x', msgId: 'a'.repeat(32), uniqueId: 'b'.repeat(32), result: 1, ending: true });
    const base = inputs(originalCall);
    expect(planReplay({ ...base, original: { ...base.original, routingKey: 'reply_x', exchange: '', body: reply.body } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('only calls and casts can be replayed'),
    });
    expect(planReplay({ ...base, original: { ...base.original, body: Buffer.from('not json') } })).toMatchObject({ ok: false });
  });

  it('publishes the signed body when a key exists for the destination', () => {
    const seen: string[] = [];
    const { preview, message } = sent(
      planReplay(inputs(originalCall, { sign: (_inner, destination) => (seen.push(destination), { body: '{"oslo.version": "2.1"}', note: 'signed' }) })),
    );
    expect(seen).toEqual(['demo']);
    expect(preview.signed).toBe(true);
    expect(Buffer.from(message.body).toString('utf8')).toBe('{"oslo.version": "2.1"}');
  });
});
