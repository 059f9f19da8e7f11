/**
 * What the agent serves for one captured message (HTTP API item and socket.io stream item).
 * An envelope plus what the agent learned around it: correlation, server attribution,
 * signature verdict. Field names are a public interface (docs/http-api.md).
 */
import type { AmqpProperties, BrokerFacts, DecodeError, EnvelopeKind, NotificationFields, RemoteFailure, TargetTuple } from './envelope.js';
import type { SignatureVerdict } from './signature.js';

export const OUTCOME_STATUSES = ['ok', 'error', 'timeout', 'pending'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** A call's outcome, from its correlated reply (or the lack of one). */
export interface CallOutcome {
  status: OutcomeStatus;
  /** Request publish → final reply publish, ms. `null` while pending / on timeout. */
  latencyMs: number | null;
  /** Record id of the final reply. */
  replyId: number | null;
  failure: Pick<RemoteFailure, 'class' | 'module' | 'message'> | null;
  /** Call-monitor heartbeats seen before the final reply. */
  heartbeats: number;
}

/** One delivery of a published message to a consumer (firehose `deliver.<queue>`). */
export interface DeliveryWire {
  queue: string;
  connection: string | null;
  /** oslo server name behind that connection, when known. */
  server: string | null;
  redelivered: boolean;
  at: number;
}

/** Who sent a message. */
export interface ClientIdentity {
  /** `_reply_q` of a call (stable per client transport). */
  replyQueue: string | null;
  /** RabbitMQ connection name of the publishing channel. */
  connection: string | null;
  /** `connection_name` client property (`program:pid:uuid`), from the management API. */
  process: string | null;
}

export interface EnvelopeRecord {
  /** Monotonic capture id (SQLite rowid). */
  id: number;
  /** Epoch ms when the agent received the event. */
  capturedAt: number;
  /** Name of the source (transport) it came from; `demo` for the built-in demo. */
  source: string;
  kind: EnvelopeKind;
  exchange: string;
  routingKey: string;
  target: TargetTuple | null;
  method: string | null;
  msgId: string | null;
  replyQueue: string | null;
  uniqueId: string | null;
  args: Record<string, unknown> | null;
  /** Redacted unless the agent runs with --show-secrets. */
  context: Record<string, unknown> | null;
  /** oslo server that handled it (delivered call/cast), when known. */
  server: string | null;
  client: ClientIdentity | null;
  /** Calls only. */
  outcome: CallOutcome | null;
  /** Replies only: the call this answers. */
  requestId: number | null;
  /** Replies only. */
  reply: { ending: boolean | null; heartbeat: boolean; failure: RemoteFailure | null; result: unknown } | null;
  /** Fanout casts: servers it reached. */
  reached: string[] | null;
  deliveries: DeliveryWire[];
  notification: (Omit<NotificationFields, 'payload'> & { payload: unknown }) | null;
  signature: SignatureVerdict;
  decodeError: DecodeError | null;
  envelopeVersion: string | null;
  expirationMs: number | null;
  callMonitorTimeout: number | null;
  bodySize: number;
  /** Set when this message was published by osloscope's replay. */
  replayOf: number | null;
}

/**
 * A record's body fields: what it decoded from its message body (args, context, a reply's
 * result, a notification's payload). They are fixed when the record is first made: later
 * versions of it (a delivery, its reply, attribution) change only the other fields, so the
 * stream sends them with the record once and leaves them out of its updates (EnvelopeBatch).
 */
export type BodyFields = 'args' | 'context' | 'reply.result' | 'notification.payload';

/** `record` without its body fields (each `null`): the form of a stream update. Nested objects are copied, not changed. */
export function withoutBody(record: EnvelopeRecord): EnvelopeRecord {
  return {
    ...record,
    args: null,
    context: null,
    reply: record.reply && { ...record.reply, result: null },
    notification: record.notification && { ...record.notification, payload: null },
  };
}

/**
 * `record` without its context (`null`): the form of a new record in the live stream. The
 * views built from the stream never show a context (the detail does, fetched on its own), and
 * in a real cloud the context is often the bulk of a request (roles, service catalog, tokens):
 * sending, masking and holding it for every streamed record cost the agent and the browser for
 * nothing.
 */
export function withoutContext(record: EnvelopeRecord): EnvelopeRecord {
  return record.context === null ? record : { ...record, context: null };
}

/** An update (body fields left out) completed with the body fields of an earlier version of the same record. */
export function withBodyOf(update: EnvelopeRecord, earlier: EnvelopeRecord): EnvelopeRecord {
  return {
    ...update,
    args: earlier.args,
    context: earlier.context,
    reply: update.reply && { ...update.reply, result: earlier.reply?.result ?? null },
    notification: update.notification && { ...update.notification, payload: earlier.notification?.payload ?? null },
  };
}

/** `GET /api/envelopes/:id`: the record plus the raw message. */
export interface EnvelopeDetail extends EnvelopeRecord {
  /** Raw body, base64 (secrets masked unless --show-secrets). */
  rawBase64: string;
  /** Which JSON paths were masked in rawBase64. */
  maskedFields: string[];
  /**
   * Imported records only: the body was masked by the agent that exported it, so the stored
   * body itself holds the masks (the real values are gone; a replay would send the masks).
   */
  bodyMaskedAtExport?: boolean;
  /**
   * Set when the stored raw event of this message is lost (its raw segment file is missing or
   * damaged): why, in words. The record is what the index kept; `rawBase64` is empty, and
   * `properties`, `broker` and a lean record's body fields (args, context, result) are unknown.
   */
  rawMissing?: string;
  properties: AmqpProperties;
  broker: BrokerFacts | null;
}

/** A gap in the capture (broker went away, tracing was off, the agent was not running): shown in the stream. */
export interface CaptureGap {
  source: string;
  from: number;
  to: number | null;
  reason: string;
  /** Messages not captured in the gap, when the broker can tell (null or absent: not known). */
  lost?: number | null;
}
