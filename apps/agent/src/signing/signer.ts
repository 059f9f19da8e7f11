/**
 * The §5 signer of message-signing.md: builds a signed (optionally encrypted) "2.1" envelope,
 * acting as its own KDS. `signMessage` is deterministic (vector inputs); `signInner` draws fresh
 * random keys, IVs and nonce, for the demo traffic and for replaying captured messages.
 */

import { createHmac, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { pythonJsonString } from '@osloscope/shared';
import { sealBlob } from './blob.js';
import { deriveTicketKeys } from './hkdf-expand.js';
import { LONG_TERM_KEY_BYTES } from './key-file.js';
import { formatSecureMetadata, NONCE_LIMIT } from './metadata.js';
import { RNDKEY_BYTES, sealTicket } from './ticket.js';

/** The signed envelope version. */
export const SIGNED_VERSION = '2.1';
/** Default ticket lifetime of `signInner`, seconds. */
export const DEFAULT_TICKET_TTL = 3600;

const IV_BYTES = 16;

/** Deterministic signer inputs, in the shape of `signerInputs` in signing-vectors.json. */
export interface SignerInputs {
  /** Default "2.1". */
  version?: string;
  innerMessage: string;
  source: string;
  destination: string;
  /** Epoch seconds, 1 ≤ t < 1e16. */
  timestamp: number;
  /** Decimal string (it can exceed 2^53) or bigint, in [0, 2^64). */
  nonce: string | bigint;
  encryption: boolean;
  /** Message IV (16 bytes hex); required when `encryption` is true. */
  messageIvHex?: string;
  ticket: {
    /** 32 bytes hex. */
    rndkeyHex: string;
    /** Decimal seconds string, used verbatim. */
    esekTimestamp: string;
    ttl: number;
    /** 16 bytes hex. */
    esekIvHex: string;
    /** The destination's long-term key, 16 bytes hex. */
    destinationKeyHex: string;
  };
}

/** Options of {@link Signer.signInner}. */
export interface SignInnerOptions {
  source: string;
  destination: string;
  /** The destination's 16-byte long-term key. */
  key: Uint8Array;
  encrypt?: boolean;
  /** Epoch seconds; default the wall clock. */
  now?: number;
  /** Ticket lifetime in seconds; default 3600. */
  ttl?: number;
}

/** A signer with its own source of randomness. */
export interface Signer {
  signMessage(inputs: SignerInputs): string;
  signInner(innerText: string, opts: SignInnerOptions): string;
}

/** Options of {@link createSigner}. */
export interface SignerOptions {
  /** Random bytes for rndkey, IVs and the nonce base; default node:crypto. */
  randomBytes?: (size: number) => Buffer;
}

/**
 * The exact §5 body for deterministic inputs.
 * @throws RangeError on malformed inputs (wrong hex lengths, nonce or timestamp out of range)
 */
export function signMessage(inputs: SignerInputs): string {
  const version = inputs.version ?? SIGNED_VERSION;
  const t = inputs.ticket;
  const destinationKey = hexBytes('destinationKeyHex', t.destinationKeyHex, LONG_TERM_KEY_BYTES);
  const rndkey = hexBytes('rndkeyHex', t.rndkeyHex, RNDKEY_BYTES);
  const esekIv = hexBytes('esekIvHex', t.esekIvHex, IV_BYTES);
  const nonce = typeof inputs.nonce === 'bigint' ? inputs.nonce : parseNonce(inputs.nonce);
  if (nonce < 0n || nonce >= NONCE_LIMIT) throw new RangeError('nonce must be in [0, 2^64)');
  if (!/^[0-9]+(\.[0-9]+)?$/.test(t.esekTimestamp)) throw new RangeError('esekTimestamp must be decimal seconds');
  if (!Number.isSafeInteger(t.ttl) || t.ttl < 0) throw new RangeError('ttl must be an integer ≥ 0');

  // 1. Ticket and keys.
  const esek = sealTicket(destinationKey, esekIv, rndkey, t.esekTimestamp, t.ttl);
  const { skey, ekey } = deriveTicketKeys(rndkey, inputs.source, inputs.destination, t.esekTimestamp);

  // 2. Message, encrypted under ekey when asked.
  let message = inputs.innerMessage;
  if (inputs.encryption) {
    if (inputs.messageIvHex === undefined) throw new RangeError('messageIvHex is required when encrypting');
    message = sealBlob(ekey, hexBytes('messageIvHex', inputs.messageIvHex, IV_BYTES), Buffer.from(message, 'utf8'));
  }

  // 3. Metadata.
  const metadata = formatSecureMetadata({
    source: inputs.source,
    destination: inputs.destination,
    timestamp: inputs.timestamp,
    nonce,
    esek,
    encryption: inputs.encryption,
  });

  // 4. Signature over the three strings as they will sit in the envelope.
  const signature = createHmac('sha256', skey).update(version, 'utf8').update(metadata, 'utf8').update(message, 'utf8').digest('base64');
  return (
    `{"oslo.version": ${pythonJsonString(version)}, "oslo.message": ${pythonJsonString(message)}, ` +
    `"oslo.secure.metadata": ${pythonJsonString(metadata)}, "oslo.secure.signature": ${pythonJsonString(signature)}}`
  );
}

// Per-process nonce state, as in the 2013 prototype: a random 32-bit base × 0xffffffff plus a
// counter, so nonces from one process never repeat (the base is drawn by the first signer).
let nonceBase: bigint | null = null;
let nonceCounter = 0n;

function nextNonce(random: (size: number) => Buffer): bigint {
  nonceBase ??= BigInt(random(4).readUInt32BE(0));
  const nonce = (nonceBase * 0xffffffffn + nonceCounter) % NONCE_LIMIT;
  nonceCounter++;
  return nonce;
}

/** Creates a signer. */
export function createSigner(opts: SignerOptions = {}): Signer {
  const random = opts.randomBytes ?? cryptoRandomBytes;

  function signInner(innerText: string, o: SignInnerOptions): string {
    const now = o.now ?? Date.now() / 1000;
    if (o.key.length !== LONG_TERM_KEY_BYTES) throw new RangeError(`key must be ${LONG_TERM_KEY_BYTES} bytes`);
    const encryption = o.encrypt ?? false;
    return signMessage({
      innerMessage: innerText,
      source: o.source,
      destination: o.destination,
      timestamp: now,
      nonce: nextNonce(random),
      encryption,
      ...(encryption ? { messageIvHex: random(IV_BYTES).toString('hex') } : {}),
      ticket: {
        rndkeyHex: random(RNDKEY_BYTES).toString('hex'),
        // Whole seconds at or before `now`, so the message lies inside its own ticket window.
        esekTimestamp: String(Math.floor(now)),
        ttl: o.ttl ?? DEFAULT_TICKET_TTL,
        esekIvHex: random(IV_BYTES).toString('hex'),
        destinationKeyHex: Buffer.from(o.key).toString('hex'),
      },
    });
  }

  return { signMessage, signInner };
}

function hexBytes(name: string, hex: string, length: number): Buffer {
  if (hex.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new RangeError(`${name} must be ${length} bytes of hex`);
  }
  return Buffer.from(hex, 'hex');
}

function parseNonce(text: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) throw new RangeError('nonce must be a decimal integer string');
  return BigInt(text);
}
