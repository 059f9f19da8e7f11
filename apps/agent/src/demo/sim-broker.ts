/**
 * A pretend RabbitMQ with tracing on: routes a publish the way RabbitMQ would (topic
 * exchange by queue name, `<topic>_fanout` to every fanout queue, default exchange to the
 * named queue), picks consumers round-robin, and writes the firehose trace events
 * (`publish.<exchange>` with routed_queues, then `deliver.<queue>` from the consumer's
 * connection) exactly in the shape the real firehose source hands to the capture core.
 */
import type { AmqpProperties } from '@osloscope/shared';
import type { RawCapture } from '../ports/raw-capture.js';
import { DEMO_EXCHANGE, DEMO_NODE, DEMO_USER, DEMO_VHOST, type DemoTopology, type SimProcess } from './topology.js';

export const DEMO_SOURCE = 'demo';
const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

/** A trace event and when (simulated epoch ms) it happens. */
export interface TimedEvent {
  at: number;
  raw: RawCapture;
}

export interface SimPublish {
  from: SimProcess;
  exchange: string;
  routingKey: string;
  properties: AmqpProperties;
  body: Uint8Array;
}

export interface SimPublishResult {
  events: TimedEvent[];
  /** Processes that received a copy (consumers of the routed queues). */
  deliveredTo: SimProcess[];
}

interface Consumer {
  process: SimProcess;
  connection: string;
}

export class SimBroker {
  private readonly consumers = new Map<string, Consumer[]>();
  private readonly roundRobin = new Map<string, number>();

  constructor(private readonly topology: DemoTopology) {
    for (const process of topology.processes) {
      for (const conn of [process.rpc, process.replyListener]) {
        for (const queue of conn?.consumes ?? []) {
          const list = this.consumers.get(queue) ?? [];
          list.push({ process, connection: conn?.name ?? '' });
          this.consumers.set(queue, list);
        }
      }
    }
  }

  /** Queues a publish reaches; `[]` = unroutable (e.g. a call to a server that is gone). */
  route(exchange: string, routingKey: string): string[] {
    if (exchange.endsWith('_fanout')) {
      const prefix = exchange + '_';
      return [...this.topology.queues].filter((q) => q.startsWith(prefix));
    }
    if (exchange === '' || exchange === DEMO_EXCHANGE) return this.topology.queues.has(routingKey) ? [routingKey] : [];
    return [];
  }

  /** Trace events of one publish at `at`, deliveries 1-3 ms later. */
  publish(msg: SimPublish, at: number): SimPublishResult {
    const routed = this.route(msg.exchange, msg.routingKey);
    const common = {
      exchange_name: msg.exchange,
      routing_keys: [msg.routingKey],
      properties: msg.properties,
      node: DEMO_NODE,
    };
    const events: TimedEvent[] = [
      {
        at,
        raw: this.trace(`publish.${msg.exchange}`, at, msg.body, {
          ...common,
          vhost: DEMO_VHOST,
          connection: msg.from.send.name,
          channel: 1,
          user: DEMO_USER,
          routed_queues: routed,
        }),
      },
    ];
    const deliveredTo: SimProcess[] = [];
    routed.forEach((queue, i) => {
      const consumer = this.nextConsumer(queue);
      if (!consumer) return; // a queue nobody consumes keeps the message (notifications)
      deliveredTo.push(consumer.process);
      const deliverAt = at + 1 + i;
      events.push({
        at: deliverAt,
        raw: this.trace(`deliver.${queue}`, deliverAt, msg.body, {
          ...common,
          redelivered: 0,
          vhost: DEMO_VHOST,
          connection: consumer.connection,
          channel: 1,
          user: DEMO_USER,
        }),
      });
    });
    return { events, deliveredTo };
  }

  private nextConsumer(queue: string): Consumer | undefined {
    const list = this.consumers.get(queue);
    if (!list || list.length === 0) return undefined;
    const i = this.roundRobin.get(queue) ?? 0;
    this.roundRobin.set(queue, (i + 1) % list.length);
    return list[i % list.length];
  }

  private trace(routingKey: string, at: number, body: Uint8Array, headers: Record<string, unknown>): RawCapture {
    return {
      source: DEMO_SOURCE,
      receivedAt: at,
      origin: 'demo',
      exchange: TRACE_EXCHANGE,
      routingKey,
      headers,
      properties: {},
      body,
    };
  }
}
