import type { BrokerFacts, DecodedEnvelope, DeliveryWire, EnvelopeRecord, SignatureVerdict } from '@osloscope/shared';
import { pendingOutcome } from '../domain/outcome.js';

/** Who published, as far as the capture knows at ingest time. */
export interface PublisherFacts {
  source: string;
  capturedAt: number;
  connection: string | null;
  process: string | null;
  replayOf: number | null;
}

/** A firehose deliver event as a delivery of the record it belongs to (server filled in by attribution). */
export function deliveryOf(b: BrokerFacts | null, at: number): DeliveryWire | null {
  if (b?.event !== 'deliver' || b.queue === null) return null;
  return { queue: b.queue, connection: b.connection, server: null, redelivered: b.redelivered === true, at };
}

/**
 * The record for one published message, before correlation and attribution.
 * Context and args are kept as decoded; redaction happens when records leave the core.
 */
export function buildRecord(id: number, decoded: DecodedEnvelope, signature: SignatureVerdict, pub: PublisherFacts): EnvelopeRecord {
  const isRequest = decoded.kind === 'call' || decoded.kind === 'cast' || decoded.kind === 'notification';
  return {
    id,
    capturedAt: pub.capturedAt,
    source: pub.source,
    kind: decoded.kind,
    exchange: decoded.exchange,
    routingKey: decoded.routingKey,
    target: decoded.target,
    method: decoded.method,
    msgId: decoded.msgId,
    replyQueue: decoded.replyQueue,
    uniqueId: decoded.uniqueId,
    args: decoded.args,
    context: decoded.context,
    server: null,
    // Replies are published by the server's send pool: that process is not a client.
    client: isRequest ? { replyQueue: decoded.replyQueue, connection: pub.connection, process: pub.process } : null,
    outcome: decoded.kind === 'call' ? pendingOutcome() : null,
    requestId: null,
    reply: decoded.reply
      ? { ending: decoded.reply.ending, heartbeat: decoded.reply.heartbeat, failure: decoded.reply.failure, result: decoded.reply.result }
      : null,
    reached: null,
    deliveries: [],
    notification: decoded.notification,
    signature,
    decodeError: decoded.decodeError,
    envelopeVersion: decoded.envelopeVersion,
    expirationMs: decoded.expirationMs,
    callMonitorTimeout: decoded.callMonitorTimeout,
    bodySize: decoded.bodySize,
    replayOf: pub.replayOf,
  };
}
