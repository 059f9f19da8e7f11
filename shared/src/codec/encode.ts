/**
 * Encoding oslo.messaging 14 messages byte for byte: the inner dict's key order, Python
 * `json.dumps` text, the 2.0 envelope and the AMQP properties kombu sets
 * (oslo-wire-format §3, §4). Used by the demo traffic generator and by tests.
 */
import type { AmqpProperties, RemoteFailure } from '../envelope.js';
import { serializeRemoteFailure } from './failure.js';
import { pythonJsonDumps, pythonJsonString } from './python-json.js';
import { fanoutExchange, notificationRoutingKey } from './target.js';
import type { EncodedMessage } from './types.js';
import { asciiBytes } from './utf8.js';

/** oslo's default `rpc_response_timeout` (60 s): the `expiration` of a call without a timeout. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

export interface RequestToEncode {
  /** Control exchange (e.g. `openstack`); unused for fanout. */
  exchange: string;
  topic: string;
  server?: string | null;
  fanout?: boolean;
  namespace?: string | null;
  version?: string | null;
  method: string;
  args: Record<string, unknown>;
  context?: Record<string, unknown>;
  /** Set for a call; a cast has none. */
  msgId?: string;
  /** Call only: the caller's `reply_<uuid>` queue. */
  replyQueue?: string;
  /** Call only: `call_monitor_timeout` in seconds (`_timeout`), null by default. */
  callMonitorTimeout?: number | null;
  uniqueId: string;
  /** Call only: AMQP expiration in ms. Default 60000. */
  timeoutMs?: number;
}

export interface ReplyToEncode {
  replyQueue: string;
  msgId: string;
  uniqueId: string;
  result?: unknown;
  failure?: RemoteFailure | null;
  ending: boolean;
}

export interface NotificationToEncode {
  exchange: string;
  /** e.g. `notifications`; the routing key is `<topic>.<priority lower>`. */
  topic: string;
  /** Upper case as oslo sends it: `INFO`, `ERROR`, ... */
  priority: string;
  eventType: string;
  publisherId: string;
  payload: unknown;
  /** Dashed uuid4. */
  messageId: string;
  /** Naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`. */
  timestamp: string;
  context?: Record<string, unknown>;
  uniqueId: string;
  /** `true`: the legacy `messaging` driver's bare 1.0 body (no envelope). Default false (`messagingv2`). */
  legacy?: boolean;
}

/** AMQP properties kombu sets on every oslo publish; `expiration` only on calls. */
export function osloProperties(expirationMs?: number): AmqpProperties {
  const props: AmqpProperties = {
    content_type: 'application/json',
    content_encoding: 'utf-8',
    delivery_mode: 2,
    priority: 0,
    headers: {},
  };
  if (expirationMs !== undefined) props.expiration = String(Math.trunc(expirationMs));
  return props;
}

/** Python-style JSON of a dict given as ordered `[key, value]` pairs (keeps the order exactly). */
function dumpsPairs(pairs: Array<[string, unknown]>): string {
  let out = '{';
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i]!;
    if (i > 0) out += ', ';
    out += pythonJsonString(k) + ': ' + pythonJsonDumps(v);
  }
  return out + '}';
}

function contextPairs(context: Record<string, unknown> | undefined): Array<[string, unknown]> {
  if (context === undefined) return [];
  return Object.keys(context).map((k): [string, unknown] => ['_context_' + k, context[k]]);
}

/** The 2.0 envelope around an inner message text (oslo `serialize_msg`). */
export function envelopeBody(innerText: string): Uint8Array {
  return asciiBytes(`{"oslo.version": "2.0", "oslo.message": ${pythonJsonString(innerText)}}`);
}

/** Inner text of a request, in oslo's key order. */
export function requestInnerText(req: RequestToEncode): string {
  const pairs: Array<[string, unknown]> = [
    ['method', req.method],
    ['args', req.args],
  ];
  if (req.namespace !== undefined && req.namespace !== null) pairs.push(['namespace', req.namespace]);
  if (req.version !== undefined && req.version !== null) pairs.push(['version', req.version]);
  if (req.msgId !== undefined) {
    pairs.push(['_msg_id', req.msgId], ['_reply_q', req.replyQueue ?? null], ['_timeout', req.callMonitorTimeout ?? null]);
  }
  pairs.push(['_unique_id', req.uniqueId], ...contextPairs(req.context));
  return dumpsPairs(pairs);
}

/** A call (with `msgId`) or cast, to a topic, one server, or fanout. */
export function encodeRequest(req: RequestToEncode): EncodedMessage {
  const isCall = req.msgId !== undefined;
  let exchange = req.exchange;
  let routingKey = req.topic;
  if (req.fanout === true) {
    exchange = fanoutExchange(req.topic);
    routingKey = '';
  } else if (req.server !== undefined && req.server !== null) {
    routingKey = `${req.topic}.${req.server}`;
  }
  return {
    exchange,
    routingKey,
    properties: osloProperties(isCall ? (req.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) : undefined),
    body: envelopeBody(requestInnerText(req)),
  };
}

/** A reply (final, heartbeat with `ending: false`, or failure) on the default exchange. */
export function encodeReply(reply: ReplyToEncode): EncodedMessage {
  const failure = reply.failure ?? null;
  const inner = dumpsPairs([
    ['result', reply.result ?? null],
    ['failure', failure === null ? null : serializeRemoteFailure(failure)],
    ['ending', reply.ending],
    ['_msg_id', reply.msgId],
    ['_unique_id', reply.uniqueId],
  ]);
  return { exchange: '', routingKey: reply.replyQueue, properties: osloProperties(), body: envelopeBody(inner) };
}

/** A notification as the `messagingv2` driver (or, with `legacy`, the `messaging` driver) sends it. */
export function encodeNotification(n: NotificationToEncode): EncodedMessage {
  const inner = dumpsPairs([
    ['message_id', n.messageId],
    ['publisher_id', n.publisherId],
    ['event_type', n.eventType],
    ['priority', n.priority],
    ['payload', n.payload],
    ['timestamp', n.timestamp],
    ['_unique_id', n.uniqueId],
    ...contextPairs(n.context),
  ]);
  return {
    exchange: n.exchange,
    routingKey: notificationRoutingKey(n.topic, n.priority),
    properties: osloProperties(),
    body: n.legacy === true ? asciiBytes(inner) : envelopeBody(inner),
  };
}

/** oslo's notification timestamp format (`str(datetime.utcnow())`) for an epoch-ms time. */
export function osloTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const micros = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1000) % 1_000_000;
  const base = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  // Python omits the fraction when microseconds are 0.
  return micros === 0 ? base : `${base}.${p(micros, 6)}`;
}
