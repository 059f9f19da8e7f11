import type { AmqpProperties } from '@osloscope/shared';

/**
 * One event as it came off a source, before decoding. Every source (firehose, tap,
 * demo, import, replay) produces these, so all traffic goes through one decode pipeline.
 */
export interface RawCapture {
  /** Source name (from the transport URL, or `demo`). */
  source: string;
  /** Epoch ms when the agent received it. */
  receivedAt: number;
  /**
   * `firehose`: a trace event: routingKey `publish.<exchange>` / `deliver.<queue>`, headers = trace headers.
   * `tap`: a copy from the agent's own tap queue: exchange/routingKey/properties of the original message.
   * `demo` behaves like `firehose` (the demo fabricates trace events).
   */
  origin: 'firehose' | 'tap' | 'demo' | 'import' | 'replay';
  exchange: string;
  routingKey: string;
  /** Firehose: the trace headers (exchange_name, routing_keys, properties, node, vhost, connection, ...). */
  headers: Record<string, unknown>;
  /** Tap: the original AMQP properties (AMQP field names). Firehose: `{}` (they are in headers.properties). */
  properties: AmqpProperties;
  body: Uint8Array;
}
