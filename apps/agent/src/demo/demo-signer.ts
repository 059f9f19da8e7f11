/**
 * Signs the demo's requests (message-signing.md §5) with the fixed demo keys and seeded
 * randomness, and produces each kind of broken signature on purpose so the UI has every
 * verdict to show: tampered body, misrouted destination, expired ticket, malformed metadata,
 * an encrypted body that does not decrypt.
 */
import { createHmac } from 'node:crypto';
import { pythonJsonString } from '@osloscope/shared';
import { deriveTicketKeys } from '../signing/hkdf-expand.js';
import { signMessage } from '../signing/index.js';
import { demoKeyFor } from './demo-keys.js';
import type { Rng } from './rng.js';

export type SignFault = 'none' | 'tamper' | 'misroute' | 'expired' | 'bad-metadata' | 'bad-ciphertext';

export interface DemoSignRequest {
  innerText: string;
  /** `<topic>.<host>` of the sender. */
  source: string;
  /** Where the message is routed (`topic` or `topic.host`). */
  destination: string;
  /** Simulated epoch ms. */
  at: number;
  fault?: SignFault;
  /** misroute: the destination the message claims (signed for). */
  claimedDestination?: string;
  /** tamper: the inner text actually put on the wire after signing. */
  tamperedInnerText?: string;
  /** Encrypt the inner message (always for `bad-ciphertext`). */
  encrypt?: boolean;
}

const TICKET_TTL_S = 3600;

export class DemoSigner {
  private nonceCounter = 0n;
  private readonly nonceBase: bigint;

  constructor(private readonly rng: Rng) {
    // As the 2013 prototype: a random 32-bit base × 0xffffffff plus a per-process counter.
    this.nonceBase = BigInt(rng.int(0, 0xffffffff)) * 0xffffffffn;
  }

  /** The signed "2.1" body text. */
  sign(req: DemoSignRequest): string {
    const fault = req.fault ?? 'none';
    const signedFor = fault === 'misroute' ? (req.claimedDestination ?? req.destination) : req.destination;
    const seconds = req.at / 1000;
    // An expired ticket: issued two hours before the message, valid for one.
    const ticketStart = Math.floor(seconds) - (fault === 'expired' ? 2 * TICKET_TTL_S : 0);
    const encryption = req.encrypt === true || fault === 'bad-ciphertext';
    const rndkey = this.rng.bytes(32);
    const body = signMessage({
      innerMessage: req.innerText,
      source: req.source,
      destination: signedFor,
      timestamp: Math.max(1, seconds),
      nonce: (this.nonceBase + this.nonceCounter++) % 2n ** 64n,
      encryption,
      ...(encryption ? { messageIvHex: this.rng.bytes(16).toString('hex') } : {}),
      ticket: {
        rndkeyHex: rndkey.toString('hex'),
        esekTimestamp: String(ticketStart),
        ttl: TICKET_TTL_S,
        esekIvHex: this.rng.bytes(16).toString('hex'),
        destinationKeyHex: demoKeyFor(signedFor).toString('hex'),
      },
    });
    if (fault === 'tamper' && req.tamperedInnerText !== undefined) {
      // Altered in transit: the message changes, the signature stays.
      return body.replace(pythonJsonString(req.innerText), () => pythonJsonString(req.tamperedInnerText ?? ''));
    }
    if (fault === 'bad-metadata') {
      // A buggy sender writes the nonce as a float: not an integer, so InvalidMetadata.
      const env = JSON.parse(body) as Envelope;
      return envelopeText({ ...env, 'oslo.secure.metadata': env['oslo.secure.metadata'].replace(/"nonce": (\d+)/, '"nonce": $1.0') });
    }
    if (fault === 'bad-ciphertext') {
      // The ciphertext is damaged before it is signed, so the signature holds but the body does not
      // decrypt: flipping a bit of the next-to-last block flips the same bit of the padding byte
      // (1..16 → 33..48), which is never valid padding.
      const env = JSON.parse(body) as Envelope;
      const raw = Buffer.from(env['oslo.message'], 'base64');
      raw[raw.length - 17]! ^= 0x20;
      const message = raw.toString('base64');
      const { skey } = deriveTicketKeys(rndkey, req.source, signedFor, String(ticketStart));
      const signature = createHmac('sha256', skey)
        .update(env['oslo.version'] + env['oslo.secure.metadata'] + message, 'utf8')
        .digest('base64');
      return envelopeText({ ...env, 'oslo.message': message, 'oslo.secure.signature': signature });
    }
    return body;
  }
}

interface Envelope {
  'oslo.version': string;
  'oslo.message': string;
  'oslo.secure.metadata': string;
  'oslo.secure.signature': string;
}

/** The signed body in the signer's own text shape (message-signing.md §5). */
function envelopeText(env: Envelope): string {
  return (
    `{"oslo.version": ${pythonJsonString(env['oslo.version'])}, "oslo.message": ${pythonJsonString(env['oslo.message'])}, ` +
    `"oslo.secure.metadata": ${pythonJsonString(env['oslo.secure.metadata'])}, "oslo.secure.signature": ${pythonJsonString(env['oslo.secure.signature'])}}`
  );
}
