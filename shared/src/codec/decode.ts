/**
 * Decoding one AMQP message body into a DecodedEnvelope: size limit, decompression,
 * strict UTF-8, bounded JSON, the 2.0/2.1 envelope (or a bare 1.0 dict), then the inner
 * message. Never throws: every problem becomes kind `unknown` plus a precise decodeError,
 * with whatever could be read (exchange, routing key, properties, ...) still filled in.
 */
import type { DecodedEnvelope } from '../envelope.js';
import { parseBoundedJson } from './bounded-json.js';
import { decodeError, isPlainObject, typeName, wrongType } from './decode-error.js';
import { compressionOf } from './header-values.js';
import { emptyEnvelope } from './empty-envelope.js';
import { applyInnerMessage } from './inner-message.js';
import { rpcTarget } from './target.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DEPTH, type DecodeOptions, type RawAmqpMessage } from './types.js';
import { decodeUtf8 } from './utf8.js';

const VERSION_KEY = 'oslo.version';
const MESSAGE_KEY = 'oslo.message';
const SECURE_METADATA_KEY = 'oslo.secure.metadata';
const SECURE_SIGNATURE_KEY = 'oslo.secure.signature';

export { emptyEnvelope } from './empty-envelope.js';

/**
 * Envelope versions this decoder reads: oslo's rule is "same major, minor ≤ ours", and we
 * implement 2.1 (the signed envelope, message-signing.md), so 2.0 and 2.1 (and 2.x.y).
 */
export function isSupportedEnvelopeVersion(version: string): boolean {
  if (version === '2.0' || version === '2.1') return true;
  const parts = version.split('.');
  if (parts.length < 2 || parts.length > 3) return false;
  for (const part of parts) if (part.length === 0 || part.length > 6 || !/^\d+$/.test(part)) return false;
  return Number(parts[0]) === 2 && Number(parts[1]) <= 1;
}

/** Decode a message as published / as copied to a tap queue. Never throws. */
export function decodeMessage(msg: RawAmqpMessage, opts?: DecodeOptions): DecodedEnvelope {
  let env: DecodedEnvelope | null = null;
  try {
    const m: Partial<RawAmqpMessage> = isPlainObject(msg) ? msg : {};
    const body = m.body;
    env = emptyEnvelope(
      typeof m.exchange === 'string' ? m.exchange : '',
      typeof m.routingKey === 'string' ? m.routingKey : '',
      isPlainObject(m.properties) ? m.properties : {},
      body instanceof Uint8Array ? body.length : 0,
    );
    env.compression = compressionOf(env.properties);
    return decodeBody(env, body, opts);
  } catch (e) {
    env ??= emptyEnvelope('', '', {}, 0);
    return failed(env, e);
  }
}

/** Turns an unexpected exception into a decodeError (the last line of "never throws"). */
export function failed(env: DecodedEnvelope, e: unknown): DecodedEnvelope {
  env.kind = 'unknown';
  env.decodeError = decodeError('not-an-oslo-message', `unexpected decoder failure: ${e instanceof Error ? e.message : String(e)}`);
  return env;
}

function decodeBody(env: DecodedEnvelope, rawBody: unknown, opts: DecodeOptions | undefined): DecodedEnvelope {
  if (!(rawBody instanceof Uint8Array)) {
    env.decodeError = wrongType('body', 'bytes', rawBody);
    return env;
  }
  const maxBody = opts?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (rawBody.length > maxBody) {
    env.decodeError = decodeError('body-too-large', `body is ${rawBody.length} bytes, over the limit of ${maxBody} bytes`);
    return env;
  }
  let body = rawBody;
  if (env.compression !== null) {
    const c = env.compression;
    if (opts?.decompress === undefined) {
      env.decodeError = decodeError('compressed', `body is compressed (${c}) and no decompressor is configured`);
      return env;
    }
    let out: Uint8Array | null;
    try {
      out = opts.decompress(rawBody, c);
    } catch {
      out = null;
    }
    if (!(out instanceof Uint8Array)) {
      env.decodeError = decodeError('compressed', `body is compressed (${c}) and could not be decompressed`);
      return env;
    }
    if (out.length > maxBody) {
      env.decodeError = decodeError('body-too-large', `decompressed body is ${out.length} bytes, over the limit of ${maxBody} bytes`);
      return env;
    }
    body = out;
  }

  const text = decodeUtf8(body);
  if (!text.ok) {
    env.decodeError = decodeError('not-utf8', `body is not valid UTF-8 at byte offset ${text.offset}: ${text.reason}`);
    return env;
  }
  // A bare 1.0 message holds its values at the outer level; an envelope's are in its inner text.
  const outer = parseBoundedJson(text.text, maxDepth, { tagOverflow: !text.text.includes('"oslo.message"') });
  if (!outer.ok) {
    env.decodeError =
      outer.problem === 'too-deep'
        ? decodeError('too-deep', `body nests deeper than ${maxDepth} levels (at position ${outer.position})`)
        : decodeError('not-json', `body is not valid JSON at position ${outer.position}: ${outer.reason}`);
    return env;
  }
  return decodeOuter(env, outer.value, maxDepth);
}

/** The outer level: a 2.x envelope, or (without both envelope keys) a bare 1.0 message. */
function decodeOuter(env: DecodedEnvelope, outer: unknown, maxDepth: number): DecodedEnvelope {
  if (!isPlainObject(outer)) {
    env.decodeError = decodeError('not-an-oslo-message', `body is a JSON ${typeName(outer)}, not an oslo message object`);
    return env;
  }
  const version = outer[VERSION_KEY];
  const message = outer[MESSAGE_KEY];
  // oslo's rule: a body without both keys is an old 1.0 message, used unchanged.
  if (version === undefined || message === undefined) return applyInnerMessage(env, outer, 'body', maxDepth);

  if (typeof version !== 'string') {
    env.decodeError = wrongType(VERSION_KEY, 'a string', version);
    return env;
  }
  env.envelopeVersion = version;
  const metadata = outer[SECURE_METADATA_KEY];
  const signature = outer[SECURE_SIGNATURE_KEY];
  if (metadata !== undefined || signature !== undefined) {
    env.secure = {
      metadata: typeof metadata === 'string' ? metadata : null,
      signature: typeof signature === 'string' ? signature : null,
    };
    if (metadata !== undefined && typeof metadata !== 'string') {
      env.decodeError = wrongType(SECURE_METADATA_KEY, 'a string', metadata);
      return env;
    }
    if (signature !== undefined && typeof signature !== 'string') {
      env.decodeError = wrongType(SECURE_SIGNATURE_KEY, 'a string', signature);
      return env;
    }
  }
  if (!isSupportedEnvelopeVersion(version)) {
    env.decodeError = decodeError(
      'envelope-version-unsupported',
      `${VERSION_KEY} ${JSON.stringify(version)} is not supported (this decoder reads 2.0 and 2.1)`,
    );
    return env;
  }
  if (typeof message !== 'string') {
    env.decodeError = wrongType(MESSAGE_KEY, 'a string', message);
    return env;
  }
  const inner = parseBoundedJson(message, maxDepth, { tagOverflow: true });
  if (!inner.ok) {
    env.decodeError =
      inner.problem === 'too-deep'
        ? decodeError('too-deep', `${MESSAGE_KEY} nests deeper than ${maxDepth} levels (at position ${inner.position})`)
        : decodeError(
            'inner-not-json',
            env.secure !== null
              ? `${MESSAGE_KEY} is not valid JSON at position ${inner.position}: ${inner.reason} (encrypted? verify and decrypt, then re-decode)`
              : `${MESSAGE_KEY} is not valid JSON at position ${inner.position}: ${inner.reason}`,
          );
    // A signed body we cannot read (encrypted, not or not yet decrypted) is still a request
    // to a known place: replies are never signed, so the exchange and routing key give its
    // target, and filters by topic/server find it.
    if (env.secure !== null && env.exchange !== '') env.target = rpcTarget(env.exchange, env.routingKey, null, null);
    return env;
  }
  return applyInnerMessage(env, inner.value, MESSAGE_KEY, maxDepth);
}
