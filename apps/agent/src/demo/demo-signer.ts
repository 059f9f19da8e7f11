/**
 * Signs the demo's requests (message-signing.md §5) with the fixed demo keys and seeded
 * randomness, and produces each kind of broken signature on purpose so the UI has every
 * verdict to show: tampered body, misrouted destination, expired ticket.
 */
import { pythonJsonString } from '@osloscope/shared';
import { signMessage } from '../signing/index.js';
import { demoKeyFor } from './demo-keys.js';
import type { Rng } from './rng.js';

export type SignFault = 'none' | 'tamper' | 'misroute' | 'expired';

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
    const body = signMessage({
      innerMessage: req.innerText,
      source: req.source,
      destination: signedFor,
      timestamp: Math.max(1, seconds),
      nonce: (this.nonceBase + this.nonceCounter++) % 2n ** 64n,
      encryption: false,
      ticket: {
        rndkeyHex: this.rng.bytes(32).toString('hex'),
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
    return body;
  }
}
