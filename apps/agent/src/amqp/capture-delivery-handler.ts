/**
 * The message callback of the agent's capture queue, for firehose and tap alike: each
 * amqplib delivery becomes one RawCapture handed to the capture core.
 */
import type { ConsumeMessage } from 'amqplib';
import type { AmqpProperties } from '@osloscope/shared';
import type { CaptureService } from '../ports/capture-service.js';
import type { Logger } from '../log.js';
import { createGuardedIngest } from './guarded-ingest.js';

/**
 * What the deliveries on a capture queue are (firehose: trace events; tap: copies of the
 * application's messages), as far as it changes how they read as RawCaptures. Plain
 * functions of the delivery, defined once per kind: the hot path allocates no closures.
 */
export interface CaptureDeliveryKind {
  readonly origin: 'firehose' | 'tap';
  /** Names one delivery in the log line when the capture core fails on it ("a trace event"). */
  readonly what: string;
  exchange(msg: ConsumeMessage): string;
  headers(msg: ConsumeMessage): Record<string, unknown>;
  properties(msg: ConsumeMessage): AmqpProperties;
}

/**
 * The per-message hot path (~10k events/s): no awaits, no logging, no copies (the body
 * Buffer is handed over as the Uint8Array it is). A throwing capture core is counted as
 * a dropped message and logged sparsely, never allowed into amqplib's socket handler.
 * `null` is amqplib's word for "the broker cancelled our consumer". `taken` hears of each
 * delivery once the capture has it (capture-consumer.ts acks it).
 */
export function createCaptureDeliveryHandler(
  kind: CaptureDeliveryKind,
  source: string,
  capture: Pick<CaptureService, 'ingest' | 'countDropped'>,
  log: Logger,
  onCancel: () => void,
  taken?: (msg: ConsumeMessage) => void,
): (msg: ConsumeMessage | null) => void {
  const ingest = createGuardedIngest(source, capture, log, kind.what);
  const origin = kind.origin;
  return (msg) => {
    if (msg === null) {
      onCancel();
      return;
    }
    ingest({
      source,
      receivedAt: Date.now(),
      origin,
      exchange: kind.exchange(msg),
      routingKey: msg.fields.routingKey,
      headers: kind.headers(msg),
      properties: kind.properties(msg),
      body: msg.content,
    });
    taken?.(msg);
  };
}
