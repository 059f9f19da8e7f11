/**
 * A minimal firehose capture for tests, independent of the agent: a server-named
 * exclusive queue bound to `amq.rabbitmq.trace` with key `#`, consumed with noAck.
 * Events are kept in the fixture line format (shared/test/fixtures/oslo-firehose-sample.jsonl),
 * so they can be fed to the same decoders as the fixture.
 */
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';

/** One trace event, in the fixture's JSONL line format. */
export interface TraceLine {
  routingKey: string;
  exchange: string;
  properties: Record<string, unknown>;
  bodyBase64: string;
}

export interface TraceCapture {
  /** Events received so far, in delivery order. */
  events: TraceLine[];
  /** Waits until `count` events match `test`; resolves with all matching ones. */
  waitFor(test: (ev: TraceLine) => boolean, count?: number, timeoutMs?: number): Promise<TraceLine[]>;
  /** Closes the connection (the exclusive queue goes with it). */
  stop(): Promise<void>;
}

function toLine(msg: ConsumeMessage): TraceLine {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg.properties)) if (v !== undefined) properties[k] = v;
  return {
    routingKey: msg.fields.routingKey,
    exchange: msg.fields.exchange,
    properties,
    bodyBase64: msg.content.toString('base64'),
  };
}

/**
 * Starts capturing the firehose of the vhost in `amqpUrl`. Tracing must be on for the
 * vhost (setTracing) for anything to arrive.
 */
export async function startTraceCapture(amqpUrl: string): Promise<TraceCapture> {
  const conn: ChannelModel = await connect(amqpUrl, { clientProperties: { connection_name: 'osloscope-test-capture' } });
  const events: TraceLine[] = [];
  try {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, 'amq.rabbitmq.trace', '#');
    await ch.consume(
      queue,
      (msg) => {
        if (msg) events.push(toLine(msg));
      },
      { noAck: true },
    );
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err;
  }
  return {
    events,
    async waitFor(test, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = events.filter(test);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} matching trace event(s), saw ${matching.length} of ${events.length} within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await conn.close().catch(() => undefined);
    },
  };
}

/** The trace event's `headers` table (exchange_name, routing_keys, routed_queues, ...). */
export function traceHeaders(ev: TraceLine): Record<string, unknown> {
  const h = ev.properties['headers'];
  return h !== null && typeof h === 'object' ? (h as Record<string, unknown>) : {};
}

/** The oslo inner message of a trace event (unwraps the 2.0 envelope), or null if not JSON. */
export function osloInner(ev: TraceLine): Record<string, unknown> | null {
  try {
    const outer = JSON.parse(Buffer.from(ev.bodyBase64, 'base64').toString('utf8')) as Record<string, unknown>;
    const wrapped = outer['oslo.message'];
    return typeof wrapped === 'string' ? (JSON.parse(wrapped) as Record<string, unknown>) : outer;
  } catch {
    return null;
  }
}
