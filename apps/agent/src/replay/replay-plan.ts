/**
 * Builds the message a replay publishes from a captured call/cast: the original's oslo
 * message with the user's edits, fresh `_unique_id` (oslo servers drop a repeated one),
 * and for a call a fresh `_msg_id` plus osloscope's own reply queue, so the reply comes
 * back to us and not to the original caller. Pure: ids and signing come in as inputs.
 * Never throws on bad input: every problem is a `{ ok: false, error }` naming the field.
 */
import {
  decodeMessage,
  DEFAULT_CALL_TIMEOUT_MS,
  encodeRequest,
  requestInnerText,
  type DecodedEnvelope,
  type EncodedMessage,
  type ReplayPreview,
  type RequestToEncode,
} from '@osloscope/shared';
import { routingTargetOf } from '../signing/index.js';
import { redactedPaths } from './redacted-fields.js';
import type { ReplayEdits, ReplayTarget } from './replay-request.js';

const VERSION = /^\d+\.\d+$/;

export interface OriginalMessage {
  id: number;
  exchange: string;
  routingKey: string;
  expirationMs: number | null;
  /** Exact captured body bytes. */
  body: Uint8Array;
}

export interface PlanInputs {
  original: OriginalMessage;
  edits?: ReplayEdits | undefined;
  target?: ReplayTarget | undefined;
  source: string;
  uniqueId: string;
  /** Used for a call only. */
  msgId: string;
  /** Used for a call only. */
  replyQueue: string;
  /**
   * Sign the inner message for the routing target, or say why not. Returns the signed
   * body text, or `null` to publish unsigned.
   */
  sign(innerText: string, destination: string): { body: string | null; note: string };
  warnings?: string[];
}

export type PlanResult = { ok: true; preview: ReplayPreview; message: EncodedMessage } | { ok: false; error: string };

const fail = (error: string): PlanResult => ({ ok: false, error });

/** The original's oslo request, read from its exact bytes (records shown to users are masked). */
function decodeOriginal(original: OriginalMessage): DecodedEnvelope | string {
  const decoded = decodeMessage({ exchange: original.exchange, routingKey: original.routingKey, properties: {}, body: original.body });
  if (decoded.decodeError) return `message ${original.id} cannot be replayed: ${decoded.decodeError.message}`;
  if (decoded.kind !== 'call' && decoded.kind !== 'cast') {
    return `message ${original.id} is a ${decoded.kind}: only calls and casts can be replayed`;
  }
  if (decoded.method === null || decoded.target === null) return `message ${original.id} has no method: it cannot be replayed`;
  return decoded;
}

/** Where the replay goes: the original's target unless the user picked another. */
function resolveTarget(
  decoded: DecodedEnvelope,
  target: ReplayTarget | undefined,
): { exchange: string; topic: string; server: string | null; fanout: boolean; routingKey?: string } | string {
  const t = decoded.target!;
  const topic = t.topic ?? decoded.routingKey;
  let exchange = t.exchange;
  let server = t.server;
  let fanout = t.fanout;
  if (target?.server !== undefined) {
    if (fanout && target.exchange === undefined) {
      return 'target.server: the original is a fanout cast, whose control exchange is unknown: give target.exchange too';
    }
    server = target.server;
    fanout = false;
  }
  if (target?.exchange !== undefined) {
    exchange = target.exchange;
    if (target.server === undefined && target.routingKey === undefined && fanout) fanout = false;
  }
  const out: { exchange: string; topic: string; server: string | null; fanout: boolean; routingKey?: string } = { exchange, topic, server, fanout };
  if (target?.routingKey !== undefined) {
    if (target.server !== undefined) return 'target: give either routingKey or server, not both';
    out.routingKey = target.routingKey;
    out.fanout = false;
  }
  return out;
}

/** Checks the edited values before anything is encoded. */
function checkEdits(method: string, args: Record<string, unknown>, context: Record<string, unknown>, version: string | null): string | null {
  if (method.trim() === '') return 'edits.method: the method name is empty';
  if (version !== null && !VERSION.test(version)) return `edits.version: "${version}" is not an oslo version ("major.minor", e.g. "1.3")`;
  const masked = [...redactedPaths(method, 'method'), ...redactedPaths(args, 'args'), ...redactedPaths(context, 'context')];
  if (masked.length > 0) {
    return `${masked.join(', ')}: holds the redacted mask, not a real value; supply the real value or remove the field`;
  }
  return null;
}

/** Build the replay message and its preview. */
export function planReplay(inputs: PlanInputs): PlanResult {
  const { original, edits } = inputs;
  const decoded = decodeOriginal(original);
  if (typeof decoded === 'string') return fail(decoded);
  const target = resolveTarget(decoded, inputs.target);
  if (typeof target === 'string') return fail(target);

  const isCall = decoded.kind === 'call';
  const method = edits?.method ?? decoded.method!;
  const args = edits?.args ?? decoded.args ?? {};
  const context = edits?.context ?? decoded.context ?? {};
  const version = edits?.version !== undefined ? edits.version : decoded.target!.version;
  const namespace = edits?.namespace !== undefined ? edits.namespace : decoded.target!.namespace;
  const problem = checkEdits(method, args, context, version);
  if (problem) return fail(problem);

  const timeoutMs = isCall ? (original.expirationMs ?? decoded.expirationMs ?? DEFAULT_CALL_TIMEOUT_MS) : null;
  const request: RequestToEncode = {
    exchange: target.exchange,
    topic: target.topic,
    server: target.server,
    fanout: target.fanout,
    namespace,
    version,
    method,
    args,
    context,
    uniqueId: inputs.uniqueId,
  };
  if (isCall) {
    request.msgId = inputs.msgId;
    request.replyQueue = inputs.replyQueue;
    request.callMonitorTimeout = decoded.callMonitorTimeout;
    request.timeoutMs = timeoutMs!;
  }
  let encoded: EncodedMessage;
  let innerText: string;
  try {
    encoded = encodeRequest(request);
    innerText = requestInnerText(request);
  } catch (e) {
    return fail(`the edited message cannot be encoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (target.routingKey !== undefined) encoded.routingKey = target.routingKey;

  // The edited body must read back as a valid oslo message of the same kind.
  const check = decodeMessage(encoded);
  if (check.decodeError) return fail(`the edited message is not a valid oslo message: ${check.decodeError.message}`);
  if (check.kind !== decoded.kind) return fail(`the edited message decodes as a ${check.kind}, not a ${decoded.kind}`);

  const signing = inputs.sign(innerText, routingTargetOf(encoded.exchange, encoded.routingKey));
  const bodyText = signing.body ?? Buffer.from(encoded.body).toString('utf8');
  // Properties exactly as oslo's own publisher sets them: no header of osloscope's (the capture
  // links the replay to its original by the fresh `_unique_id`, see CaptureService.linkReplay).
  const message: EncodedMessage = { ...encoded, body: Buffer.from(bodyText, 'utf8') };
  const preview: ReplayPreview = {
    previewId: inputs.uniqueId,
    originalId: original.id,
    source: inputs.source,
    kind: isCall ? 'call' : 'cast',
    exchange: message.exchange,
    routingKey: message.routingKey,
    properties: message.properties,
    body: bodyText,
    innerMessage: innerText,
    method,
    args,
    context,
    version,
    namespace,
    uniqueId: inputs.uniqueId,
    msgId: isCall ? inputs.msgId : null,
    replyQueue: isCall ? inputs.replyQueue : null,
    timeoutMs,
    signed: signing.body !== null,
    signingNote: signing.note,
    warnings: inputs.warnings ?? [],
    // The service knows where the original was captured and sets it.
    retarget: null,
    maskedFields: [],
  };
  return { ok: true, preview, message };
}
