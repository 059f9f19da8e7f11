import type { DecodedEnvelope } from '../envelope.js';

/** An envelope with only the transport facts filled in. */
export function emptyEnvelope(exchange: string, routingKey: string, properties: DecodedEnvelope['properties'], bodySize: number): DecodedEnvelope {
  return {
    kind: 'unknown',
    exchange,
    routingKey,
    target: null,
    method: null,
    args: null,
    context: null,
    msgId: null,
    replyQueue: null,
    uniqueId: null,
    callMonitorTimeout: null,
    expirationMs: null,
    reply: null,
    notification: null,
    envelopeVersion: null,
    secure: null,
    broker: null,
    properties,
    compression: null,
    bodySize,
    decodeError: null,
  };
}
