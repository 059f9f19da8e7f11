/**
 * The decoded oslo.messaging envelope: what one AMQP message (or one firehose trace
 * event) means in oslo terms. Pure data (no Date, Map or class instances) so it can
 * cross the socket.io wire unchanged. See docs/reference/oslo-wire-format.md.
 */

export const ENVELOPE_KINDS = ['call', 'cast', 'reply', 'notification', 'unknown'] as const;
/** call/cast include direct-to-server and fanout ones: `target.server` / `target.fanout` say so. */
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];

/** oslo's Target tuple as seen on the wire (exchange and routing key plus body keys). */
export interface TargetTuple {
  /** Control exchange (e.g. `openstack`, `nova`); for fanout, the `<topic>_fanout` exchange's control exchange is unknown, so this is the fanout exchange name. */
  exchange: string;
  topic: string | null;
  /** `null` = default namespace. */
  namespace: string | null;
  /** `null` = no version key sent (servers assume "1.0"). */
  version: string | null;
  /** Set for direct-to-server calls/casts (`<topic>.<server>` routing key). */
  server: string | null;
  fanout: boolean;
}

/** A serialized remote exception carried in a reply's `failure` (oslo-wire-format §4.5). */
export interface RemoteFailure {
  class: string;
  module: string;
  message: string;
  /** Python traceback lines (each ends with `\n`). */
  traceback: string[];
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export interface ReplyFields {
  result: unknown;
  failure: RemoteFailure | null;
  /** `true` final reply, `false` call-monitor heartbeat, `null` pre-4.0 first part (no `ending` key). */
  ending: boolean | null;
  heartbeat: boolean;
}

export interface NotificationFields {
  eventType: string | null;
  /** Upper case as sent: INFO, ERROR, WARN, ... */
  priority: string | null;
  publisherId: string | null;
  payload: unknown;
  /** As sent: naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`. */
  timestamp: string | null;
  messageId: string | null;
}

/** Facts RabbitMQ adds to a firehose trace event (oslo-wire-format §6.3). */
export interface BrokerFacts {
  event: 'publish' | 'deliver';
  /** For deliver events: the queue the message was delivered from. */
  queue: string | null;
  node: string | null;
  vhost: string | null;
  /** RabbitMQ's connection name `"ip:port -> ip:port"` of the publishing / consuming channel. */
  connection: string | null;
  channel: number | null;
  user: string | null;
  /** publish only; `[]` means unroutable. */
  routedQueues: string[] | null;
  /** deliver only. */
  redelivered: boolean | null;
}

/** AMQP basic properties with AMQP field names, only those set. */
export interface AmqpProperties {
  content_type?: string;
  content_encoding?: string;
  headers?: Record<string, unknown>;
  delivery_mode?: number;
  priority?: number;
  correlation_id?: string;
  reply_to?: string;
  expiration?: string;
  message_id?: string;
  timestamp?: number;
  type?: string;
  user_id?: string;
  app_id?: string;
  cluster_id?: string;
}

export const DECODE_ERROR_CODES = [
  'not-utf8',
  'not-json',
  'body-too-large',
  'too-deep',
  'envelope-version-unsupported',
  'inner-not-json',
  'wrong-type',
  'compressed',
  'not-an-oslo-message',
] as const;
export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];

export interface DecodeError {
  code: DecodeErrorCode;
  /** Precise, human-readable: which field, what was expected, what was found. */
  message: string;
}

/** The `oslo.secure.*` members of a 2.1 envelope, kept verbatim for the signature verifier. */
export interface SecureFields {
  metadata: string | null;
  signature: string | null;
}

export interface DecodedEnvelope {
  kind: EnvelopeKind;
  /** Exchange the message was published to (`""` = default exchange). */
  exchange: string;
  /** Publish routing key. */
  routingKey: string;
  /** Target tuple for call/cast; for notifications exchange + topic (version/namespace null). */
  target: TargetTuple | null;
  method: string | null;
  args: Record<string, unknown> | null;
  /** `_context_*` keys folded back into an object (NOT redacted; redact before display). */
  context: Record<string, unknown> | null;
  msgId: string | null;
  replyQueue: string | null;
  uniqueId: string | null;
  /** `_timeout` (call_monitor_timeout, seconds) on calls. */
  callMonitorTimeout: number | null;
  /** AMQP `expiration` of a call, in ms. */
  expirationMs: number | null;
  reply: ReplyFields | null;
  notification: NotificationFields | null;
  /** `"2.0"`, `"2.1"` (signed), or `null` for a bare (1.0) body. */
  envelopeVersion: string | null;
  secure: SecureFields | null;
  /** Present for firehose trace events. */
  broker: BrokerFacts | null;
  properties: AmqpProperties;
  /** `headers.compression` when set (`application/x-gzip`, `application/x-bz2`). */
  compression: string | null;
  /** Size of the body bytes as received. */
  bodySize: number;
  decodeError: DecodeError | null;
}
