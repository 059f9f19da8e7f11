import { describe, expect, it } from 'vitest';
import { jsonSafe } from './write-batch.js';

describe('jsonSafe', () => {
  it('writes plain header tables exactly as JSON.stringify does', () => {
    const headers = {
      exchange_name: 'nova',
      routing_keys: ['compute.cn-1'],
      properties: { headers: { a: null }, delivery_mode: 2 },
      redelivered: 0,
      at: new Date(0),
    };
    expect(jsonSafe(headers)).toBe(JSON.stringify(headers));
  });

  it('turns bigints into digits and bytes into text, however deep', () => {
    const headers = {
      channel: 3n,
      node: Buffer.from('rabbit@n1'),
      properties: { user_id: new Uint8Array(Buffer.from('nova')), list: [1n, { b: Buffer.from('x') }] },
    };
    expect(JSON.parse(jsonSafe(headers))).toEqual({ channel: '3', node: 'rabbit@n1', properties: { user_id: 'nova', list: ['1', { b: 'x' }] } });
  });

  it('turns a Buffer already in its JSON form into text', () => {
    expect(JSON.parse(jsonSafe({ node: { type: 'Buffer', data: [104, 105] } }))).toEqual({ node: 'hi' });
  });
});
