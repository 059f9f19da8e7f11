/**
 * The replay's own broker connection for one source: the capture sources are passive, so
 * replay publishes on a separate amqplib connection with a confirm channel and consumes
 * replies on its own exclusive auto-delete `reply_osloscope_<uuid>` queue. Created lazily
 * on first use, re-created after a failure, closed on shutdown.
 */
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import {
  decodeMessage,
  toAmqpConnectOptions,
  uuid4Hex,
  type AmqpProperties,
  type DecodedEnvelope,
  type EncodedMessage,
  type TransportUrl,
} from '@osloscope/shared';
import { toAmqpProperties } from '../amqp/amqp-values.js';
import { toPublishOptions } from '../amqp/publish-options.js';
import { scrubError } from '../amqp/broker-session.js';

/** A reply that arrived on the replay's reply queue. */
export interface ReplayReply {
  decoded: DecodedEnvelope;
  /** As received, for ingesting it into the capture. */
  properties: AmqpProperties;
  routingKey: string;
  body: Uint8Array;
  receivedAt: number;
}

export interface ReplayBroker {
  readonly source: string;
  /** Connect if needed; the name of osloscope's reply queue on this broker. */
  replyQueue(): Promise<string>;
  /** Publish and wait for the broker's confirm; `routed: false` when it came back unroutable. */
  publish(msg: EncodedMessage): Promise<{ routed: boolean }>;
  close(): Promise<void>;
}

export interface ReplayBrokerOptions {
  source: string;
  url: TransportUrl;
  /** Every message arriving on the reply queue. */
  onReply(reply: ReplayReply): void;
  connectTimeoutMs?: number;
}

interface Connected {
  conn: ChannelModel;
  channel: ConfirmChannel;
  replyQueue: string;
  /** `_unique_id`s the broker returned as unroutable (basic.return precedes the confirm). */
  returned: Set<string>;
}

export function createReplayBroker(opts: ReplayBrokerOptions): ReplayBroker {
  let connecting: Promise<Connected> | null = null;
  let closed = false;

  async function connectAny(): Promise<ChannelModel> {
    let lastError: unknown = new Error('the transport URL has no host');
    for (let i = 0; i < opts.url.hosts.length; i++) {
      try {
        return await amqp.connect(
          { ...toAmqpConnectOptions(opts.url, i) },
          { timeout: opts.connectTimeoutMs ?? 10_000, clientProperties: { connection_name: `osloscope-replay:${process.pid}` } },
        );
      } catch (e) {
        lastError = e;
      }
    }
    throw new Error(`cannot connect to broker ${opts.source} for replay: ${scrubError(lastError, opts.url)}`);
  }

  async function connect(): Promise<Connected> {
    const conn = await connectAny();
    const forget = () => {
      connecting = null;
    };
    conn.on('error', forget);
    conn.on('close', forget);
    try {
      const channel = await conn.createConfirmChannel();
      channel.on('error', forget);
      channel.on('close', forget);
      const returned = new Set<string>();
      channel.on('return', (msg: ConsumeMessage) => {
        const d = decodeMessage({ exchange: msg.fields.exchange, routingKey: msg.fields.routingKey, properties: {}, body: msg.content });
        if (d.uniqueId) returned.add(d.uniqueId);
      });
      // Exclusive + auto-delete: the broker removes it when this connection goes away.
      const q = await channel.assertQueue(`reply_osloscope_${uuid4Hex()}`, { exclusive: true, autoDelete: true, durable: false });
      await channel.consume(
        q.queue,
        (msg) => {
          if (msg === null) {
            forget();
            return;
          }
          const properties = toAmqpProperties(msg.properties);
          const decoded = decodeMessage({ exchange: msg.fields.exchange, routingKey: msg.fields.routingKey, properties, body: msg.content });
          try {
            opts.onReply({ decoded, properties, routingKey: msg.fields.routingKey, body: msg.content, receivedAt: Date.now() });
          } catch {
            // a failing handler must not kill the consumer
          }
        },
        { noAck: true, exclusive: true },
      );
      return { conn, channel, replyQueue: q.queue, returned };
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
  }

  function connected(): Promise<Connected> {
    if (closed) return Promise.reject(new Error('replay is shutting down'));
    if (!connecting) {
      const attempt = connect();
      connecting = attempt;
      attempt.catch(() => {
        if (connecting === attempt) connecting = null;
      });
    }
    return connecting;
  }

  return {
    source: opts.source,
    async replyQueue() {
      return (await connected()).replyQueue;
    },
    async publish(msg) {
      const options = toPublishOptions(msg.properties, { mandatory: true });
      const c = await connected();
      const uniqueId = decodeMessage(msg).uniqueId;
      await new Promise<void>((resolve, reject) => {
        c.channel.publish(msg.exchange, msg.routingKey, Buffer.from(msg.body), options, (err) =>
          err ? reject(new Error(`the broker did not accept the message: ${String(err)}`)) : resolve(),
        );
      });
      const routed = uniqueId === null || !c.returned.has(uniqueId);
      if (uniqueId) c.returned.delete(uniqueId);
      return { routed };
    },
    async close() {
      closed = true;
      const c = await connecting?.catch(() => null);
      connecting = null;
      await c?.conn.close().catch(() => undefined);
    },
  };
}
