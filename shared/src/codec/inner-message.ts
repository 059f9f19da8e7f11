/**
 * Classifying the inner oslo message dict (the parsed `oslo.message`, or a bare 1.0 body)
 * into a call, cast, reply or notification and filling the envelope from it.
 */
import type { DecodeError, DecodedEnvelope } from '../envelope.js';
import { parseBoundedJson } from './bounded-json.js';
import { emptyEnvelope } from './empty-envelope.js';
import { decodeError, isPlainObject, typeName, wrongType } from './decode-error.js';
import { parseRemoteFailure } from './failure.js';
import { notificationTarget, rpcTarget } from './target.js';
import { DEFAULT_MAX_DEPTH, type DecodeOptions } from './types.js';

const CONTEXT_PREFIX = '_context_';

/** Collects the first type problem; fields that are fine are still filled in. */
interface Problems {
  first: DecodeError | null;
}

function note(p: Problems, e: DecodeError): void {
  if (p.first === null) p.first = e;
}

/** A string field that may be absent or null. */
function optionalString(obj: Record<string, unknown>, key: string, p: Problems): string | null {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (v !== undefined && v !== null) note(p, wrongType(key, 'a string', v));
  return null;
}

/**
 * `_context_<k>` → `<k>`, memoised: slicing makes a fresh string that V8 must internalise
 * on every property store, which cost more than the whole JSON parse. Context key names
 * are a small fixed set per deployment; the cap keeps hostile traffic from growing it.
 */
const contextNames = new Map<string, string>();
const MAX_CONTEXT_NAMES = 4096;

function contextName(key: string): string {
  let name = contextNames.get(key);
  if (name === undefined) {
    name = key.slice(CONTEXT_PREFIX.length);
    if (contextNames.size < MAX_CONTEXT_NAMES) contextNames.set(key, name);
  }
  return name;
}

/** `_context_*` keys folded into one object (prefix removed, as oslo's unpack_context does). */
export function foldContext(inner: Record<string, unknown>): Record<string, unknown> | null {
  let ctx: Record<string, unknown> | null = null;
  for (const k in inner) {
    if (k.charCodeAt(0) !== 95 || !k.startsWith(CONTEXT_PREFIX)) continue;
    ctx ??= {};
    const name = contextName(k);
    // A plain assignment to `__proto__` would replace the prototype instead of adding a key.
    if (name === '__proto__') Object.defineProperty(ctx, name, { value: inner[k], enumerable: true, writable: true, configurable: true });
    else ctx[name] = inner[k];
  }
  return ctx;
}

/** AMQP `expiration` (decimal ms as a string) → number, or null when absent/garbled. */
function parseExpiration(v: unknown): number | null {
  if (typeof v !== 'string' || v.length === 0 || v.length > 15) return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return Number(v);
}

function applyRequest(env: DecodedEnvelope, inner: Record<string, unknown>, p: Problems): void {
  const method = inner['method'];
  if (typeof method === 'string') env.method = method;
  else note(p, wrongType('method', 'a string', method));

  const args = inner['args'];
  if (isPlainObject(args)) env.args = args;
  else if (args !== undefined) note(p, wrongType('args', 'an object', args));

  const namespace = optionalString(inner, 'namespace', p);
  const version = optionalString(inner, 'version', p);
  env.target = rpcTarget(env.exchange, env.routingKey, namespace, version);

  const msgId = inner['_msg_id'];
  if (typeof msgId === 'string') {
    env.kind = 'call';
    env.msgId = msgId;
    env.replyQueue = optionalString(inner, '_reply_q', p);
    const timeout = inner['_timeout'];
    if (typeof timeout === 'number') env.callMonitorTimeout = timeout;
    else if (timeout !== undefined && timeout !== null) note(p, wrongType('_timeout', 'a number or null', timeout));
    env.expirationMs = parseExpiration(env.properties.expiration);
  } else {
    // oslo treats a missing or null `_msg_id` as a cast.
    if (msgId !== undefined && msgId !== null) note(p, wrongType('_msg_id', 'a string', msgId));
    env.kind = 'cast';
  }
  env.uniqueId = optionalString(inner, '_unique_id', p);
  env.context = foldContext(inner) ?? {};
}

function applyReply(env: DecodedEnvelope, inner: Record<string, unknown>, p: Problems, maxDepth: number): void {
  env.kind = 'reply';
  const msgId = inner['_msg_id'];
  if (typeof msgId === 'string') env.msgId = msgId;
  else note(p, wrongType('_msg_id', 'a string', msgId));
  env.uniqueId = optionalString(inner, '_unique_id', p);
  // A reply is addressed to the caller's reply queue: its routing key (or, with pre-9.2
  // direct exchanges, the `reply_<uuid>` exchange name, which equals the routing key).
  env.replyQueue = env.routingKey !== '' ? env.routingKey : env.exchange || null;
  env.context = foldContext(inner);

  const result = inner['result'] === undefined ? null : inner['result'];
  let failure = null;
  const rawFailure = inner['failure'];
  if (typeof rawFailure === 'string') {
    const parsed = parseRemoteFailure(rawFailure, maxDepth);
    if (parsed.ok) failure = parsed.failure;
    else note(p, parsed.error);
  } else if (rawFailure !== undefined && rawFailure !== null) {
    note(p, wrongType('failure', 'a JSON string or null', rawFailure));
  }
  const rawEnding = inner['ending'];
  let ending: boolean | null = null;
  if (typeof rawEnding === 'boolean') ending = rawEnding;
  else if (rawEnding !== undefined && rawEnding !== null) note(p, wrongType('ending', 'a boolean', rawEnding));

  env.reply = {
    result,
    failure,
    ending,
    heartbeat: ending === false && result === null && failure === null,
  };
}

function applyNotification(env: DecodedEnvelope, inner: Record<string, unknown>, p: Problems): void {
  env.kind = 'notification';
  const priority = optionalString(inner, 'priority', p);
  env.notification = {
    eventType: optionalString(inner, 'event_type', p),
    priority,
    publisherId: optionalString(inner, 'publisher_id', p),
    payload: inner['payload'] === undefined ? null : inner['payload'],
    timestamp: optionalString(inner, 'timestamp', p),
    messageId: optionalString(inner, 'message_id', p),
  };
  env.uniqueId = optionalString(inner, '_unique_id', p);
  env.context = foldContext(inner) ?? {};
  env.target = notificationTarget(env.exchange, env.routingKey, priority);
}

function isReply(inner: Record<string, unknown>): boolean {
  return inner['_msg_id'] !== undefined && (inner['result'] !== undefined || inner['failure'] !== undefined || inner['ending'] !== undefined);
}

function isNotification(inner: Record<string, unknown>): boolean {
  return inner['event_type'] !== undefined || inner['publisher_id'] !== undefined || (inner['priority'] !== undefined && inner['payload'] !== undefined);
}

/**
 * Fill `env` from the inner message dict. `where` names it in messages (`oslo.message` or
 * `body`). Any problem leaves kind `unknown` with a decodeError; what could be read stays.
 */
export function applyInnerMessage(env: DecodedEnvelope, inner: unknown, where: string, maxDepth: number): DecodedEnvelope {
  if (!isPlainObject(inner)) {
    env.decodeError = decodeError('not-an-oslo-message', `${where} is a JSON ${typeName(inner)}, not an oslo message object`);
    return env;
  }
  const p: Problems = { first: null };
  if (inner['method'] !== undefined) applyRequest(env, inner, p);
  else if (isReply(inner)) applyReply(env, inner, p, maxDepth);
  else if (isNotification(inner)) applyNotification(env, inner, p);
  else {
    p.first = decodeError(
      'not-an-oslo-message',
      `${where} has none of the oslo message keys (method; _msg_id with result/failure/ending; event_type; publisher_id)`,
    );
  }
  if (p.first !== null) {
    env.kind = 'unknown';
    env.decodeError = p.first;
  }
  return env;
}

/** Reset everything the inner message fills, keeping transport facts (for re-decoding). */
function withoutInner(base: DecodedEnvelope): DecodedEnvelope {
  const blank = emptyEnvelope(base.exchange, base.routingKey, base.properties, base.bodySize);
  // The transport facts (broker, version, secure, compression) stay; the inner fields reset.
  return { ...blank, envelopeVersion: base.envelopeVersion, secure: base.secure, broker: base.broker, compression: base.compression };
}

/**
 * Decode an inner message text on top of an already decoded envelope: used by the
 * signature verifier after decrypting an encrypted 2.1 `oslo.message`. Transport facts
 * (exchange, routing key, properties, broker, secure, envelope version) are kept.
 */
export function decodeInnerMessage(innerText: string, base: DecodedEnvelope, opts?: DecodeOptions): DecodedEnvelope {
  const env = withoutInner(base);
  try {
    const maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
    const parsed = parseBoundedJson(innerText, maxDepth, { tagOverflow: true });
    if (!parsed.ok) {
      env.decodeError =
        parsed.problem === 'too-deep'
          ? decodeError('too-deep', `oslo.message nests deeper than ${maxDepth} levels (at position ${parsed.position})`)
          : decodeError('inner-not-json', `oslo.message is not valid JSON at position ${parsed.position}: ${parsed.reason}`);
      return env;
    }
    return applyInnerMessage(env, parsed.value, 'oslo.message', maxDepth);
  } catch (e) {
    env.kind = 'unknown';
    env.decodeError = decodeError('not-an-oslo-message', `unexpected decoder failure: ${String(e)}`);
    return env;
  }
}
