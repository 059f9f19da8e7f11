import { describe, expect, it } from 'vitest';
import { createKeyRing } from './key-file.js';
import { createSigner } from './signer.js';
import { createVerifier } from './verifier.js';

const SCHEDULER_KEY = Buffer.from('aB55pJNOPCsfg6sxRqjYSA==', 'base64');
const keys = createKeyRing({ scheduler: SCHEDULER_KEY }, ['scheduler']);
const INNER = JSON.stringify({ method: 'select_destinations', args: { name: 'Zoë’s VM 🚀' }, version: '4.5', _msg_id: 'abc' });
const NOW = 1764400001.25;

function innerOf(body: string): string {
  return (JSON.parse(body) as { 'oslo.message': string })['oslo.message'];
}
function metadataOf(body: string): { nonce: number; timestamp: number } {
  return JSON.parse((JSON.parse(body) as { 'oslo.secure.metadata': string })['oslo.secure.metadata']);
}

describe('signInner → verify', () => {
  const signer = createSigner();
  const sign = (encrypt = false) => signer.signInner(INNER, { source: 'conductor.ctl-1', destination: 'scheduler', key: SCHEDULER_KEY, encrypt, now: NOW });

  it('verifies a signed message as valid, carrying the inner text unchanged', () => {
    const body = sign();
    expect(innerOf(body)).toBe(INNER);
    expect(createVerifier(keys).verify({ body, routingTarget: 'scheduler' })).toEqual({ status: 'valid', reason: null });
  });

  it('verifies an encrypted message as valid and returns its plaintext', () => {
    const body = sign(true);
    expect(innerOf(body)).not.toContain('select_destinations');
    const r = createVerifier(keys).verify({ body, parsed: JSON.parse(body), routingTarget: 'scheduler' });
    expect(r).toEqual({ status: 'valid', reason: null, decryptedMessage: INNER });
  });

  it('writes the §1 envelope members in order, with a "2.1" version', () => {
    expect(Object.keys(JSON.parse(sign()))).toEqual(['oslo.version', 'oslo.message', 'oslo.secure.metadata', 'oslo.secure.signature']);
    expect(JSON.parse(sign())['oslo.version']).toBe('2.1');
  });

  it('flags a one-byte change in the message as InvalidSignature', () => {
    const body = sign();
    const tampered = body.replace('select_destinations', 'select_destinationz');
    expect(tampered).not.toBe(body);
    const r = createVerifier(keys).verify({ body: tampered, routingTarget: 'scheduler' });
    expect([r.status, r.reason]).toEqual(['failed', 'InvalidSignature']);
  });

  it('flags a one-byte change in an encrypted message as InvalidSignature', () => {
    const body = sign(true);
    const b64 = innerOf(body);
    const flipped = b64.slice(0, 40) + (b64[40] === 'A' ? 'B' : 'A') + b64.slice(41);
    const tampered = JSON.stringify({ ...JSON.parse(body), 'oslo.message': flipped });
    const r = createVerifier(keys).verify({ body: tampered, routingTarget: 'scheduler' });
    expect([r.status, r.reason]).toEqual(['failed', 'InvalidSignature']);
  });

  it('flags a second copy of the same body as ReplayedNonce', () => {
    const verifier = createVerifier(keys);
    const body = sign();
    expect(verifier.verify({ body, routingTarget: 'scheduler' }).status).toBe('valid');
    const again = verifier.verify({ body, routingTarget: 'scheduler' });
    expect([again.status, again.reason]).toEqual(['failed', 'ReplayedNonce']);
  });

  it('gives each message a fresh nonce above 2^53 that survives exact parsing', () => {
    const verifier = createVerifier(keys);
    const bodies = Array.from({ length: 5 }, () => sign());
    const nonces = bodies.map((b) => /"nonce": (\d+)/.exec(innerMeta(b))![1]);
    expect(new Set(nonces).size).toBe(5);
    expect(bodies.map((body) => verifier.verify({ body, routingTarget: 'scheduler' }).status)).toEqual(Array(5).fill('valid'));
  });

  it('writes an integral timestamp with ".0" and keeps the message inside its ticket', () => {
    const body = signer.signInner(INNER, { source: 'a.b', destination: 'scheduler', key: SCHEDULER_KEY, now: 1764400002 });
    expect(innerMeta(body)).toContain('"timestamp": 1764400002.0,');
    expect(createVerifier(keys).verify({ body, routingTarget: 'scheduler' }).status).toBe('valid');
    expect(metadataOf(body).timestamp).toBe(1764400002);
  });

  it('is unverified without keys, and a mismatch when routed elsewhere', () => {
    const body = sign();
    expect(createVerifier(null).verify({ body, routingTarget: 'scheduler' })).toMatchObject({ status: 'unverified', reason: 'SharedKeyNotFound' });
    expect(createVerifier(keys).verify({ body, routingTarget: 'scheduler.host-1' })).toMatchObject({ status: 'failed', reason: 'DestinationMismatch' });
  });

  it('expires with the ticket: a message timed after now + ttl fails', () => {
    const body = signer.signInner(INNER, { source: 'a.b', destination: 'scheduler', key: SCHEDULER_KEY, now: NOW, ttl: 0 });
    // ttl 0 and a fractional now: the message time is after floor(now) + 0.
    expect(createVerifier(keys).verify({ body, routingTarget: 'scheduler' })).toMatchObject({ status: 'failed', reason: 'InvalidExpiredTicket' });
  });
});

function innerMeta(body: string): string {
  return (JSON.parse(body) as { 'oslo.secure.metadata': string })['oslo.secure.metadata'];
}

describe('verifier on unsigned traffic', () => {
  const verifier = createVerifier(keys);

  it('uses the caller-parsed body and does not reparse the text', () => {
    const parsed = { 'oslo.version': '2.0', 'oslo.message': '{"method": "ping"}' };
    expect(verifier.verify({ body: 'not json at all', parsed, routingTarget: 'conductor' })).toEqual({ status: 'unsigned', reason: null });
    expect(verifier.verify({ body: 'not json at all', parsed, routingTarget: 'scheduler' })).toMatchObject({ status: 'failed', reason: 'MissingSignature' });
  });

  it('never throws on bodies that are not JSON objects', () => {
    for (const body of ['', 'null', '[1,2]', '"text"', '{"oslo.secure.metadata": 5, "oslo.secure.signature": null}']) {
      expect(() => verifier.verify({ body, routingTarget: 'scheduler' })).not.toThrow();
    }
    expect(verifier.verify({ body: '{"oslo.secure.metadata": 5, "oslo.secure.signature": null}', routingTarget: 'scheduler' })).toMatchObject({
      status: 'failed',
      reason: 'InvalidMetadata',
    });
  });

  it('treats a reply as unsigned even on a listed queue, but not a call carrying _msg_id', () => {
    const ring = createKeyRing({}, ['reply_q']);
    const v = createVerifier(ring);
    const reply = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ failure: null, result: 1, _msg_id: 'x' }) });
    const call = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ method: 'm', result: 1, _msg_id: 'x' }) });
    expect(v.verify({ body: reply, routingTarget: 'reply_q' }).status).toBe('unsigned');
    expect(v.verify({ body: call, routingTarget: 'reply_q' })).toMatchObject({ status: 'failed', reason: 'MissingSignature' });
  });

  it('judges a body the decoder saw without secure keys without making its text, unless the target requires signatures', () => {
    const ring = createKeyRing({}, ['reply_q']);
    const v = createVerifier(ring);
    let made = 0;
    const text = (body: string) => () => {
      made++;
      return body;
    };
    const reply = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ failure: null, result: 1, _msg_id: 'x' }) });
    const call = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ method: 'm', _msg_id: 'x' }) });
    expect(v.verify({ body: text(call), secureKeys: false, routingTarget: 'conductor' })).toEqual({ status: 'unsigned', reason: null });
    expect(made).toBe(0);
    // A target that requires signatures still looks inside: a reply passes, a call does not.
    expect(v.verify({ body: text(reply), secureKeys: false, routingTarget: 'reply_q' }).status).toBe('unsigned');
    expect(v.verify({ body: text(call), secureKeys: false, routingTarget: 'reply_q' })).toMatchObject({ status: 'failed', reason: 'MissingSignature' });
    expect(made).toBe(2);
  });
});
