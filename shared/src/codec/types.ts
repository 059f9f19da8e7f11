/** Inputs and outputs of the oslo wire codec (decode.ts, trace-event.ts, encode.ts). */
import type { AmqpProperties } from '../envelope.js';

/** One AMQP message as published (or as a copy taken from a tap queue). */
export interface RawAmqpMessage {
  exchange: string;
  routingKey: string;
  /** AMQP field names (`content_type`, ...), only those set. */
  properties: AmqpProperties;
  body: Uint8Array;
}

/** One RabbitMQ firehose event (`amq.rabbitmq.trace`). */
export interface TraceEvent {
  /** `publish.<exchange>` or `deliver.<queue>`. */
  routingKey: string;
  /** The trace headers: exchange_name, routing_keys, properties, node, vhost, connection, ... */
  headers: Record<string, unknown>;
  body: Uint8Array;
}

export interface DecodeOptions {
  /** Bodies larger than this (received or decompressed) are not parsed. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Deepest array/object nesting accepted in each JSON level. Default 100. */
  maxDepth?: number;
  /**
   * Decompresses a body whose `headers.compression` is set (`application/x-gzip`, ...).
   * Return `null` when it cannot. shared has no zlib, so the agent supplies this.
   */
  decompress?: (body: Uint8Array, compression: string) => Uint8Array | null;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 100;

/** A message ready to publish with amqplib (properties use AMQP field names). */
export interface EncodedMessage {
  exchange: string;
  routingKey: string;
  properties: AmqpProperties;
  body: Uint8Array;
}
