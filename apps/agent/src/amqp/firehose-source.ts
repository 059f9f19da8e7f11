/**
 * Firehose mode: everything published and delivered in the vhost, from RabbitMQ's tracer
 * (`amq.rabbitmq.trace`, oslo-wire-format §6). The agent consumes only its own
 * server-named, exclusive, auto-delete queue (noAck), so the application's messages
 * are never consumed, acked or requeued, and nothing is left behind when the connection
 * closes. Tracing is switched on through the management API when needed and allowed.
 */
import type { ConsumeMessage } from 'amqplib';
import type { CaptureSource } from '../ports/source.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createAmqpSource } from './amqp-source.js';
import { normaliseTable } from './amqp-values.js';
import type { SourceContext } from './amqp-source.js';
import { createTracingControl } from './tracing-control.js';
import type { AmqpSourceOptions } from './source-options.js';
import type { CaptureService } from '../ports/capture-service.js';
import { createGuardedIngest } from './guarded-ingest.js';
import type { Logger } from '../log.js';
import { CAPTURE_QUEUE_OPTIONS } from './capture-queue.js';

export const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

/**
 * The per-message hot path (~10k events/s): no awaits, no logging, no copies (the body
 * Buffer is handed over as the Uint8Array it is). A throwing capture core is counted as
 * a dropped message and logged sparsely, never allowed into amqplib's socket handler.
 */
export function createTraceHandler(
  source: string,
  capture: Pick<CaptureService, 'ingest' | 'countDropped'>,
  log: Logger,
  onCancel: () => void,
): (msg: ConsumeMessage | null) => void {
  const ingest = createGuardedIngest(source, capture, log, 'a trace event');
  return (msg) => {
    if (msg === null) {
      onCancel();
      return;
    }
    const raw: RawCapture = {
      source,
      receivedAt: Date.now(),
      origin: 'firehose',
      exchange: TRACE_EXCHANGE,
      routingKey: msg.fields.routingKey,
      headers: normaliseTable(msg.properties.headers),
      properties: {},
      body: msg.content,
    };
    ingest(raw);
  };
}

export function createFirehoseSource(opts: AmqpSourceOptions): CaptureSource {
  return createAmqpSource(opts, (ctx: SourceContext) => {
    const tracing = createTracingControl({ vhost: ctx.url.vhost, client: ctx.management, log: ctx.log });
    let queue: string | null = null;

    return {
      mode: 'firehose',
      async setup(conn, sctx) {
        const ch = await conn.createChannel();
        ch.on('error', (e: Error) => sctx.lost(e));
        ch.on('close', () => sctx.lost(new Error('capture channel closed')));
        // '' = server-named; exclusive + auto-delete: gone when our connection closes.
        const q = await ch.assertQueue('', { ...CAPTURE_QUEUE_OPTIONS });
        // '#': queue and exchange names contain dots (§6.1).
        await ch.bindQueue(q.queue, TRACE_EXCHANGE, '#');
        const onMessage = createTraceHandler(opts.name, opts.capture, ctx.log, () =>
          sctx.lost(new Error('capture queue consumer cancelled by the broker')),
        );
        await ch.consume(q.queue, onMessage, { noAck: true, exclusive: true });
        queue = q.queue;
        // After a reconnect the broker may have restarted (tracing off again): fix it
        // before declaring capture resumed, so the outage gap covers the blind time.
        await tracing.ensure();
      },
      captureQueue: () => queue,
      onDisconnect() {
        queue = null;
      },
      async periodic() {
        const check = await tracing.ensure();
        // Tracing went off under a live connection (trace_off, node restart in a
        // cluster): events since the last good check may be missing.
        if (check.lostSince !== null && ctx.connected()) {
          try {
            opts.capture.markGap({
              source: opts.name,
              from: check.lostSince,
              to: Date.now(),
              reason: `tracing was off on vhost "${ctx.url.vhost}" (node restart or trace_off)`,
            });
          } catch {
            /* the capture core's problem; capture goes on */
          }
        }
      },
      afterStop: () => tracing.release(),
      health() {
        const t = tracing.status();
        return { tracing: t.nodes, tracingEnabledByAgent: t.enabledByAgent, warnings: t.warnings, blindSpots: [] };
      },
    };
  });
}
