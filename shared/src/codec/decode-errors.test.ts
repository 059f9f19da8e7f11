/** Each decodeError code, with the exact message an operator sees. */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AmqpProperties, DecodedEnvelope } from '../envelope.js';
import { decodeMessage } from './decode.js';
import { decodeInnerMessage } from './inner-message.js';
import { decodeTraceEvent } from './trace-event.js';
import type { DecodeOptions } from './types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const envelope = (inner: string, version = '2.0'): string => JSON.stringify({ 'oslo.version': version, 'oslo.message': inner });
const CALL_INNER = JSON.stringify({ method: 'echo', args: { value: 'a' }, _msg_id: 'm1', _reply_q: 'reply_q', _timeout: null, _unique_id: 'u1' });

function decode(body: string | Uint8Array, opts?: DecodeOptions, properties: AmqpProperties = {}): DecodedEnvelope {
  return decodeMessage({ exchange: 'openstack', routingKey: 'demo.node-1', properties, body: typeof body === 'string' ? enc(body) : body }, opts);
}

function expectError(e: DecodedEnvelope, code: string, message: string): void {
  expect(e.kind).toBe('unknown');
  expect(e.decodeError).toEqual({ code, message });
  // Transport facts survive every error.
  expect(e.exchange).toBe('openstack');
  expect(e.routingKey).toBe('demo.node-1');
}

describe('decodeError codes', () => {
  it('not-utf8: byte offset and what is wrong', () => {
    expectError(decode(new Uint8Array([0x7b, 0x22, 0xff, 0x22])), 'not-utf8', 'body is not valid UTF-8 at byte offset 2: invalid lead byte 0xff');
    expectError(
      decode(new Uint8Array([0x22, 0xe2, 0x82])),
      'not-utf8',
      'body is not valid UTF-8 at byte offset 1: truncated multi-byte sequence at end of body',
    );
    expectError(decode(new Uint8Array([0x22, 0xc3, 0x28])), 'not-utf8', 'body is not valid UTF-8 at byte offset 2: invalid continuation byte 0x28');
    expectError(decode(new Uint8Array([0x22, 0xc0, 0xaf])), 'not-utf8', 'body is not valid UTF-8 at byte offset 1: invalid lead byte 0xc0');
    expectError(decode(new Uint8Array([0x22, 0xed, 0xa0, 0x80])), 'not-utf8', 'body is not valid UTF-8 at byte offset 1: encoded UTF-16 surrogate');
  });

  it('not-json: position and reason', () => {
    expectError(decode('{"a": }'), 'not-json', 'body is not valid JSON at position 6: unexpected "}" where a value was expected');
    expectError(decode('{"oslo.version": "2.0"'), 'not-json', 'body is not valid JSON at position 22: unexpected end of input');
    expectError(decode(''), 'not-json', 'body is not valid JSON at position 0: empty input');
    expectError(decode('[1, 2] x'), 'not-json', 'body is not valid JSON at position 7: unexpected "x" after the JSON value');
  });

  it('body-too-large: size against the limit, before anything is parsed', () => {
    expectError(decode('{"method": "x"}', { maxBodyBytes: 10 }), 'body-too-large', 'body is 15 bytes, over the limit of 10 bytes');
    const big = new Uint8Array(16 * 1024 * 1024 + 1).fill(0x20);
    const e = decode(big);
    expectError(e, 'body-too-large', 'body is 16777217 bytes, over the limit of 16777216 bytes');
    expect(e.bodySize).toBe(16777217);
  });

  it('too-deep: depth limit, outer body and inner message, including 100k levels', () => {
    expectError(decode('['.repeat(101) + ']'.repeat(101)), 'too-deep', 'body nests deeper than 100 levels (at position 100)');
    expect(decode('{"method": "m", "args": {"a": ' + '['.repeat(98) + ']'.repeat(98) + '}}').kind).toBe('cast');
    expectError(decode('['.repeat(100_000) + ']'.repeat(100_000)), 'too-deep', 'body nests deeper than 100 levels (at position 100)');
    expectError(decode(envelope('['.repeat(5) + ']'.repeat(5)), { maxDepth: 4 }), 'too-deep', 'oslo.message nests deeper than 4 levels (at position 4)');
    // Brackets inside strings do not count.
    expect(decode(JSON.stringify({ method: 'm', args: { s: '['.repeat(500) + '\\"{{{' } })).kind).toBe('cast');
  });

  it('envelope-version-unsupported: anything but 2.0/2.1', () => {
    for (const v of ['3.0', '2.2', '1.0', 'two']) {
      const e = decode(envelope(CALL_INNER, v));
      expectError(e, 'envelope-version-unsupported', `oslo.version "${v}" is not supported (this decoder reads 2.0 and 2.1)`);
      expect(e.envelopeVersion).toBe(v);
    }
  });

  it('inner-not-json: oslo.message and a reply failure that are not JSON', () => {
    expectError(decode(envelope('not json')), 'inner-not-json', 'oslo.message is not valid JSON at position 1: unexpected "o" in literal null');
    const reply = JSON.stringify({ result: null, failure: '{"class": ', ending: true, _msg_id: 'm1' });
    const e = decode(envelope(reply));
    expectError(e, 'inner-not-json', 'failure is not valid JSON at position 10: unexpected end of input');
    expect(e.msgId).toBe('m1');
  });

  it('wrong-type: which field, expected and found', () => {
    expectError(decode(envelope(JSON.stringify({ method: 5, args: {} }))), 'wrong-type', 'method must be a string, got number');
    expectError(decode(envelope(JSON.stringify({ method: 'm', args: [1] }))), 'wrong-type', 'args must be an object, got array');
    expectError(decode(envelope(JSON.stringify({ method: 'm', args: {}, version: 1.2 }))), 'wrong-type', 'version must be a string, got number');
    expectError(
      decode(envelope(JSON.stringify({ method: 'm', args: {}, _msg_id: 'x', _timeout: '2' }))),
      'wrong-type',
      '_timeout must be a number or null, got string',
    );
    expectError(decode(envelope(JSON.stringify({ result: 1, ending: 'yes', _msg_id: 'm' }))), 'wrong-type', 'ending must be a boolean, got string');
    expectError(decode(envelope(JSON.stringify({ result: 1, failure: {}, _msg_id: 'm' }))), 'wrong-type', 'failure must be a JSON string or null, got object');
    expectError(
      decode(envelope(JSON.stringify({ result: null, failure: '{"module": "m", "message": "x"}', _msg_id: 'm' }))),
      'wrong-type',
      'failure.class must be a string, got missing',
    );
    expectError(decode(envelope(JSON.stringify({ event_type: 'e', priority: 3, payload: {} }))), 'wrong-type', 'priority must be a string, got number');
    expectError(decode(JSON.stringify({ 'oslo.version': 2, 'oslo.message': '{}' })), 'wrong-type', 'oslo.version must be a string, got number');
    expectError(decode(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': { method: 'm' } })), 'wrong-type', 'oslo.message must be a string, got object');
    // What could be read is kept.
    const e = decode(envelope(JSON.stringify({ method: 'echo', args: {}, _msg_id: 'abc', _timeout: 'x' })));
    expect([e.method, e.msgId, e.target?.topic, e.target?.server]).toEqual(['echo', 'abc', 'demo', 'node-1']);
  });

  it('compressed: without a decompressor, failing one, and a working one', () => {
    const props: AmqpProperties = { content_type: 'application/json', headers: { compression: 'application/x-gzip' } };
    const gz = new Uint8Array(gzipSync(Buffer.from(envelope(CALL_INNER))));
    const none = decode(gz, {}, props);
    expectError(none, 'compressed', 'body is compressed (application/x-gzip) and no decompressor is configured');
    expect(none.compression).toBe('application/x-gzip');
    expectError(decode(gz, { decompress: () => null }, props), 'compressed', 'body is compressed (application/x-gzip) and could not be decompressed');
    expectError(
      decode(
        gz,
        {
          decompress: () => {
            throw new Error('bad');
          },
        },
        props,
      ),
      'compressed',
      'body is compressed (application/x-gzip) and could not be decompressed',
    );
    const gunzip = (b: Uint8Array, c: string): Uint8Array | null => (c === 'application/x-gzip' ? new Uint8Array(gunzipSync(b)) : null);
    const ok = decode(gz, { decompress: gunzip }, props);
    expect(ok.decodeError).toBeNull();
    expect([ok.kind, ok.method, ok.msgId, ok.compression, ok.bodySize]).toEqual(['call', 'echo', 'm1', 'application/x-gzip', gz.length]);
    // A compression bomb is stopped by the same size limit.
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(5000, 0x20)));
    expectError(
      decode(bomb, { decompress: gunzip, maxBodyBytes: 4000 }, props),
      'body-too-large',
      'decompressed body is 5000 bytes, over the limit of 4000 bytes',
    );
  });

  it('not-an-oslo-message: valid JSON that is not an object or has no oslo keys', () => {
    expectError(decode('[1, 2]'), 'not-an-oslo-message', 'body is a JSON array, not an oslo message object');
    expectError(decode('"hello"'), 'not-an-oslo-message', 'body is a JSON string, not an oslo message object');
    expectError(decode(envelope('42')), 'not-an-oslo-message', 'oslo.message is a JSON number, not an oslo message object');
    expectError(
      decode('{"hello": "world"}'),
      'not-an-oslo-message',
      'body has none of the oslo message keys (method; _msg_id with result/failure/ending; event_type; publisher_id)',
    );
  });

  it('a body that is not bytes is wrong-type, and the trace facts are still filled in', () => {
    const e = decodeTraceEvent({
      routingKey: 'deliver.demo',
      headers: { exchange_name: 'openstack', routing_keys: ['demo'], node: 'rabbit@x' },
      body: 'x' as unknown as Uint8Array,
    });
    expect(e.decodeError).toEqual({ code: 'wrong-type', message: 'body must be bytes, got string' });
    expect(e.broker).toMatchObject({ event: 'deliver', queue: 'demo', node: 'rabbit@x' });
    expect([e.exchange, e.routingKey]).toEqual(['openstack', 'demo']);
  });
});

describe('2.1 secure envelopes', () => {
  const meta = '{"source": "conductor.c1", "destination": "demo"}';

  it('keeps oslo.secure.* verbatim and decodes a plain inner message', () => {
    const e = decode(JSON.stringify({ 'oslo.version': '2.1', 'oslo.message': CALL_INNER, 'oslo.secure.metadata': meta, 'oslo.secure.signature': 'c2ln' }));
    expect(e.decodeError).toBeNull();
    expect([e.kind, e.envelopeVersion, e.method]).toEqual(['call', '2.1', 'echo']);
    expect(e.secure).toEqual({ metadata: meta, signature: 'c2ln' });
  });

  it('an encrypted inner message is inner-not-json with secure set; decodeInnerMessage re-decodes the plaintext', () => {
    const e = decode(JSON.stringify({ 'oslo.version': '2.1', 'oslo.message': 'q83vASNFZ4k=', 'oslo.secure.metadata': meta, 'oslo.secure.signature': 'c2ln' }));
    expect(e.kind).toBe('unknown');
    expect(e.decodeError?.code).toBe('inner-not-json');
    expect(e.secure).toEqual({ metadata: meta, signature: 'c2ln' });
    expect(e.envelopeVersion).toBe('2.1');
    // Still findable by target: a signed body is a request to the place it was routed.
    expect(e.target).toMatchObject({ topic: 'demo', server: 'node-1', fanout: false });
    const again = decodeInnerMessage(CALL_INNER, e);
    expect(again.decodeError).toBeNull();
    expect([again.kind, again.method, again.msgId, again.target?.server, again.secure?.signature]).toEqual(['call', 'echo', 'm1', 'node-1', 'c2ln']);
    // The original envelope is not modified.
    expect(e.kind).toBe('unknown');
    expectError(decodeInnerMessage('{', e), 'inner-not-json', 'oslo.message is not valid JSON at position 1: unexpected end of input');
  });
});
