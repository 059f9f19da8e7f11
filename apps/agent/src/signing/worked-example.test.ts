import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hkdfExpandSha256, deriveTicketKeys, ticketInfo } from './hkdf-expand.js';
import { formatSecureMetadata } from './metadata.js';
import { formatEsekPlaintext, sealTicket } from './ticket.js';
import type { SigningVector } from './vectors.test.js';

// The signing vector file (shared/test/fixtures/signing-vectors.json); it is also a key file.
const vectorFileText = readFileSync(new URL('../../../../shared/test/fixtures/signing-vectors.json', import.meta.url), 'utf8');
const vectorFile = JSON.parse(vectorFileText) as { keys: Record<string, string>; requireSigned: string[]; vectors: SigningVector[] };

function vectorNamed(name: string): SigningVector {
  const v = vectorFile.vectors.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no vector ${name}`); // a renamed vector fails loudly
  return v;
}

const hex = (h: string) => Buffer.from(h, 'hex');

describe('§8 worked example (valid-signed-call)', () => {
  const v = vectorNamed('valid-signed-call');
  const si = v.signerInputs!;
  const im = v.intermediate!;
  const rndkey = hex(si.ticket.rndkeyHex);

  it('builds the esek plaintext (95 bytes) and the esek blob', () => {
    const plaintext = formatEsekPlaintext(rndkey, si.ticket.esekTimestamp, si.ticket.ttl);
    expect(plaintext).toBe(im.esekPlaintext);
    expect(Buffer.byteLength(plaintext)).toBe(95);
    const esek = sealTicket(hex(si.ticket.destinationKeyHex), hex(si.ticket.esekIvHex), rndkey, si.ticket.esekTimestamp, si.ticket.ttl);
    expect(esek).toBe(im.esek);
  });

  it('derives OKM, skey and ekey with HKDF-Expand only', () => {
    const info = ticketInfo(si.source, si.destination, si.ticket.esekTimestamp);
    expect(info).toBe(im.info);
    expect(hkdfExpandSha256(rndkey, Buffer.from(info)).toString('hex')).toBe(im.okmHex);
    const { skey, ekey } = deriveTicketKeys(rndkey, si.source, si.destination, si.ticket.esekTimestamp);
    expect(skey.toString('hex')).toBe(im.skeyHex);
    expect(ekey.toString('hex')).toBe(im.ekeyHex);
  });

  it("differs from node's crypto.hkdf, which runs Extract first", () => {
    const withExtract = Buffer.from(hkdfSync('sha256', rndkey, Buffer.alloc(0), Buffer.from(im.info), 32));
    expect(withExtract.toString('hex')).not.toBe(im.okmHex);
  });

  it('writes the metadata and the HMAC over version + metadata + message', () => {
    const metadata = formatSecureMetadata({
      source: si.source,
      destination: si.destination,
      timestamp: si.timestamp,
      nonce: BigInt(si.nonce as string),
      esek: im.esek,
      encryption: si.encryption,
    });
    expect(metadata).toBe(im.metadata);
    const mac = createHmac('sha256', hex(im.skeyHex)).update(`2.1${im.metadata}${im.message}`, 'utf8').digest();
    expect(Buffer.byteLength(`2.1${im.metadata}${im.message}`)).toBe(1305);
    expect(mac.toString('hex')).toBe(im.hmacHex);
    expect(mac.toString('base64')).toBe(im.signature);
  });
});

describe('intermediates of every vector that lists them', () => {
  const withIntermediate = vectorFile.vectors.filter((v) => v.intermediate && v.signerInputs);

  it.each(withIntermediate.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const si = v.signerInputs!;
    const im = v.intermediate!;
    const { skey, ekey } = deriveTicketKeys(hex(si.ticket.rndkeyHex), si.source, si.destination, si.ticket.esekTimestamp);
    expect(formatEsekPlaintext(hex(si.ticket.rndkeyHex), si.ticket.esekTimestamp, si.ticket.ttl)).toBe(im.esekPlaintext);
    expect(ticketInfo(si.source, si.destination, si.ticket.esekTimestamp)).toBe(im.info);
    expect(Buffer.concat([skey, ekey]).toString('hex')).toBe(im.okmHex);
  });

  it('keeps the esek timestamp verbatim in info ("1764399900.50")', () => {
    expect(vectorNamed('valid-ticket-timestamp-verbatim').intermediate!.info.endsWith(',1764399900.50')).toBe(true);
  });
});
