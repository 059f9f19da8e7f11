/**
 * Signature verification of one published body (message-signing.md §6). The steps run in the
 * spec's order and the first failing step decides. No wall clock: the message's own timestamp is
 * "now". Verify each publish once, not each deliver copy (copies share the nonce).
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureFailureReason, SignatureVerdict } from '@osloscope/shared';
import { decodeBlob, openBlobText } from './blob.js';
import { deriveTicketKeys } from './hkdf-expand.js';
import type { KeyRing } from './key-file.js';
import { parseSecureMetadata } from './metadata.js';
import { DEFAULT_REPLAY_MEMORY, ReplayMemory } from './replay-memory.js';
import { openTicket } from './ticket.js';
import { isWellFormedText } from './text.js';

export { routingTargetOf } from './routing-target.js';

const VERSION = 'oslo.version';
const MESSAGE = 'oslo.message';
const METADATA = 'oslo.secure.metadata';
const SIGNATURE = 'oslo.secure.signature';

/** One publish to verify. */
export interface VerifyInput {
  /** The body text exactly as published; a function when the caller makes it only on demand. */
  body: string | (() => string);
  /** `JSON.parse(body)` when the caller already has it (saves a reparse on the hot path). */
  parsed?: unknown;
  /**
   * false when the caller's decoder already read the body as a JSON object without
   * `oslo.secure.metadata` and `oslo.secure.signature`: the common unsigned message is then
   * judged without making or parsing the body text again.
   */
  secureKeys?: boolean;
  /** See `routingTargetOf`. */
  routingTarget: string;
}

/** The verdict, plus the plaintext of a valid encrypted message. */
export type VerifyResult = SignatureVerdict & { decryptedMessage?: string };

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /** Capacity of the (source, nonce) replay memory (LRU). Default 100 000. */
  replayMemory?: number;
}

/** A verifier with its own replay memory. */
export interface Verifier {
  verify(input: VerifyInput): VerifyResult;
}

type Body = Record<string, unknown>;

/**
 * Creates a verifier. With `keys === null` signed messages are `unverified`/`SharedKeyNotFound`
 * (after the structure and destination checks) and nothing is required to be signed.
 */
export function createVerifier(keys: KeyRing | null, opts: VerifierOptions = {}): Verifier {
  const replay = new ReplayMemory(opts.replayMemory ?? DEFAULT_REPLAY_MEMORY);
  const requireSigned: ReadonlySet<string> = keys?.requireSigned ?? new Set();

  function verify(input: VerifyInput): VerifyResult {
    const text = (): string => (typeof input.body === 'string' ? input.body : input.body());
    const parsedBody = (): unknown => (input.parsed !== undefined ? input.parsed : parseBody(text()));
    if (input.secureKeys === false) return verifyUnsigned(parsedBody, input.routingTarget);
    const body = parsedBody();
    // Fast path for the vast majority: no secure keys at all.
    const hasMetadata = isRecord(body) && Object.hasOwn(body, METADATA);
    const hasSignature = isRecord(body) && Object.hasOwn(body, SIGNATURE);
    if (!hasMetadata && !hasSignature) return verifyUnsigned(() => body, input.routingTarget);
    if (!hasMetadata || !hasSignature) {
      return failed('InvalidMetadata', `only ${hasMetadata ? METADATA : SIGNATURE} is present`);
    }
    return verifySigned(body as Body, input.routingTarget);
  }

  /** Step 1. */
  function verifyUnsigned(body: () => unknown, routingTarget: string): VerifyResult {
    if (!requireSigned.has(routingTarget)) return { status: 'unsigned', reason: null };
    if (isReply(innerOf(body()))) return { status: 'unsigned', reason: null, detail: 'reply (replies are never signed)' };
    return failed('MissingSignature', `unsigned message to ${routingTarget}, which requires signatures`);
  }

  /** Steps 2–10. */
  function verifySigned(body: Body, routingTarget: string): VerifyResult {
    // Step 2: structure.
    const version = wellFormedString(body[VERSION]);
    const message = wellFormedString(body[MESSAGE]);
    const metadataText = wellFormedString(body[METADATA]);
    const signature = wellFormedString(body[SIGNATURE]);
    if (version === null || message === null || metadataText === null || signature === null) {
      const bad = [VERSION, MESSAGE, METADATA, SIGNATURE].filter((k) => wellFormedString(body[k]) === null);
      return failed('InvalidMetadata', `${bad.join(', ')} missing, not a string, or not well-formed text`);
    }
    const parsed = parseSecureMetadata(metadataText);
    if (!parsed.ok) return failed('InvalidMetadata', parsed.detail);
    const md = parsed.metadata;

    // Step 3.
    if (md.destination !== routingTarget) {
      return failed('DestinationMismatch', `signed for ${md.destination}, routed to ${routingTarget}`);
    }

    // Step 4.
    const longTermKey = keys?.get(md.destination);
    if (longTermKey === undefined) {
      return { status: 'unverified', reason: 'SharedKeyNotFound', detail: `no key loaded for ${md.destination}` };
    }

    // Step 5.
    const opened = openTicket(longTermKey, md.esekRaw);
    if (!opened.ok) return failed('InvalidMetadata', opened.detail);
    const ticket = opened.ticket;

    // Step 6: closed window [T0, T0 + ttl] in doubles.
    const t0 = Number(ticket.timestamp);
    if (!(t0 <= md.timestamp && md.timestamp <= t0 + ticket.ttl)) {
      return failed('InvalidExpiredTicket', `message time ${md.timestamp} outside ticket [${ticket.timestamp}, +${ticket.ttl}]`);
    }

    // Step 7: HMAC over the strings as they sit in the envelope; compare base64 text in constant time.
    const { skey, ekey } = deriveTicketKeys(ticket.rndkey, md.source, md.destination, ticket.timestamp);
    const expected = createHmac('sha256', skey).update(version, 'utf8').update(metadataText, 'utf8').update(message, 'utf8').digest('base64');
    if (!equalInConstantTime(expected, signature)) {
      return failed('InvalidSignature', 'signature does not match the message');
    }

    // Step 8: only authentic messages reach the memory, so a forgery cannot burn a nonce.
    if (replay.checkAndRemember(md.source, md.nonce)) {
      return failed('ReplayedNonce', `nonce ${md.nonce} already seen from ${md.source}`);
    }

    // Steps 9–10.
    if (!md.encryption) return { status: 'valid', reason: null };
    const raw = decodeBlob(message);
    const plaintext = raw === null ? null : openBlobText(ekey, raw);
    if (plaintext === null) return failed('InvalidEncryptedMessage', 'oslo.message does not decrypt under the ticket key');
    return { status: 'valid', reason: null, decryptedMessage: plaintext };
  }

  return { verify };
}

function failed(reason: SignatureFailureReason, detail: string): VerifyResult {
  return { status: 'failed', reason, detail };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wellFormedString(value: unknown): string | null {
  return typeof value === 'string' && isWellFormedText(value) ? value : null;
}

/** The inner message of an unsigned body: the parsed `oslo.message` of an envelope, else the body. */
function innerOf(body: unknown): unknown {
  if (isRecord(body) && Object.hasOwn(body, VERSION) && Object.hasOwn(body, MESSAGE)) {
    const message = body[MESSAGE];
    return typeof message === 'string' ? parseBody(message) : undefined;
  }
  return body;
}

/** An RPC reply: no `method`, a `_msg_id`, and a `result` or `failure`. */
function isReply(inner: unknown): boolean {
  return (
    isRecord(inner) && !Object.hasOwn(inner, 'method') && Object.hasOwn(inner, '_msg_id') && (Object.hasOwn(inner, 'result') || Object.hasOwn(inner, 'failure'))
  );
}

function equalInConstantTime(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
