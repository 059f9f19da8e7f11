/**
 * socket.io's packet encoder without its search for binary data. The stock encoder walks every
 * emitted object looking for Buffers (`hasBinary`) before it stringifies it: ~4 % of the capture
 * thread while streaming live traffic (B1 CPU profile), for a protocol that is JSON only (the
 * typed events in shared/src/protocol carry no binary). This one writes the very string packets
 * the stock encoder writes for non-binary data (socket.io-parser's format: type, namespace,
 * ack id, JSON), so the stock client decodes them; decoding stays socket.io-parser's own.
 */
import { Decoder, type Packet } from 'socket.io-parser';

export class JsonPacketEncoder {
  encode(packet: Packet): string[] {
    let str = String(packet.type);
    if (packet.nsp && packet.nsp !== '/') str += packet.nsp + ',';
    if (packet.id !== undefined && packet.id !== null) str += String(packet.id);
    if (packet.data !== undefined && packet.data !== null) str += JSON.stringify(packet.data);
    return [str];
  }
}

/** The `parser` option of the socket.io server. */
export const jsonOnlyParser = { Encoder: JsonPacketEncoder, Decoder };
