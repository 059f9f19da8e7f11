import { describe, expect, it } from 'vitest';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { JsonPacketEncoder } from './json-packet-encoder.js';

const batch = {
  items: [{ id: 7, kind: 'call', method: 'build_and_run_instance', args: { instance: { uuid: 'u-1', metadata: { k: 'v "quoted" \u00e9' } } }, deliveries: [] }],
  updates: [],
  skipped: 0,
  history: false,
};

const packets: Packet[] = [
  { type: PacketType.EVENT, nsp: '/', data: ['envelopes', batch] },
  { type: PacketType.EVENT, nsp: '/', data: ['health', { ok: true, sources: [] }] },
  { type: PacketType.ACK, nsp: '/', id: 12, data: [{ ok: true, value: { total: 1_000_000, totalCapped: false } }] },
  { type: PacketType.EVENT, nsp: '/admin', id: 3, data: ['x', null, 0, ''] },
  { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } },
  { type: PacketType.DISCONNECT, nsp: '/' },
];

function decode(encoded: string): Packet {
  const decoder = new Decoder();
  let out: Packet | undefined;
  decoder.on('decoded', (p: Packet) => (out = p));
  decoder.add(encoded);
  if (!out) throw new Error('nothing decoded');
  return out;
}

describe('the JSON-only socket.io encoder', () => {
  it('writes exactly what the stock encoder writes for JSON data', () => {
    for (const p of packets) expect(new JsonPacketEncoder().encode(p)).toEqual(new Encoder().encode(p));
  });

  it('is decoded by the stock decoder (what the browser runs) into the packet it was given', () => {
    for (const p of packets) {
      const [encoded] = new JsonPacketEncoder().encode(p);
      expect(decode(encoded as string)).toEqual(p);
    }
  });
});
