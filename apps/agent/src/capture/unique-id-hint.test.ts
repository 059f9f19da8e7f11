import { describe, expect, it } from 'vitest';
import { decodeTraceEvent, encodeRequest } from '@osloscope/shared';
import { fixtureRaws } from '../../test/support/capture-fixtures.js';
import { uniqueIdHint } from './unique-id-hint.js';

describe('uniqueIdHint', () => {
  it('reads the same _unique_id the decoder finds, for every real fixture body', () => {
    const raws = fixtureRaws(0);
    let found = 0;
    for (const raw of raws) {
      const decoded = decodeTraceEvent({ routingKey: raw.routingKey, headers: raw.headers, body: raw.body });
      const hint = uniqueIdHint(raw.body);
      // Where the bytes give a hint it must be the decoder's id; bodies without an id give none.
      if (hint !== null) expect(hint).toBe(decoded.uniqueId);
      if (decoded.uniqueId === null) expect(hint).toBeNull();
      if (hint !== null) found++;
    }
    expect(found).toBeGreaterThan(raws.length / 2);
  });

  it('takes the last key, so an args key of the same name does not mislead it', () => {
    const msg = encodeRequest({
      exchange: 'nova',
      topic: 'compute',
      method: 'm',
      args: { _unique_id: 'ffffffffffffffffffffffffffffffff' },
      uniqueId: '0123456789abcdef0123456789abcdef',
    });
    expect(uniqueIdHint(msg.body)).toBe('0123456789abcdef0123456789abcdef');
  });

  it('gives null for bytes that are not an oslo body', () => {
    expect(uniqueIdHint(Buffer.from('{"_unique_id": 5}'))).toBeNull();
    expect(uniqueIdHint(Buffer.from('{"_unique_id": "abc"}'))).toBeNull();
    expect(uniqueIdHint(new Uint8Array(0))).toBeNull();
  });
});
