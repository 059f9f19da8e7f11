/**
 * Firehose mode: everything published and delivered in the vhost, from RabbitMQ's tracer
 * (`amq.rabbitmq.trace`, oslo-wire-format §6). The agent consumes only its own
 * server-named, exclusive, auto-delete queue (capture-consumer.ts), so the application's messages
 * are never consumed, acked or requeued, and nothing is left behind when the connection
 * closes. Tracing is switched on through the management API when needed and allowed.
 */
import type { CaptureSource } from '../ports/source.js';
import { createAmqpSource } from './amqp-source.js';
import { normaliseTable } from './amqp-values.js';
import type { SourceContext } from './amqp-source.js';
import { createTracingControl } from './tracing-control.js';
import { brokerKey } from './tracing-ledger.js';
import type { AmqpSourceOptions } from './source-options.js';
import type { CaptureDeliveryKind } from './capture-delivery-handler.js';
import { openCaptureQueue } from './capture-consumer.js';

export const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

/** Firehose deliveries are trace events: the trace headers say what was published or delivered. */
export const TRACE_EVENT: CaptureDeliveryKind = {
  origin: 'firehose',
  what: 'a trace event',
  exchange: () => TRACE_EXCHANGE,
  headers: (msg) => normaliseTable(msg.properties.headers),
  // The traced message's properties are in headers.properties.
  properties: () => ({}),
};

export function createFirehoseSource(opts: AmqpSourceOptions): CaptureSource {
  return createAmqpSource(opts, (ctx: SourceContext) => {
    const tracing = createTracingControl({
      vhost: ctx.url.vhost,
      client: ctx.management,
      log: ctx.log,
      ...(opts.tracingLedger ? { ledger: { ledger: opts.tracingLedger, broker: brokerKey(ctx.url) } } : {}),
    });
    let queue: string | null = null;

    return {
      mode: 'firehose',
      async setup(conn, sctx) {
        const ch = await conn.createChannel();
        ch.on('error', (e: Error) => sctx.lost(e));
        ch.on('close', () => sctx.lost(new Error('capture channel closed')));
        const q = await openCaptureQueue(ch, TRACE_EVENT, opts, sctx.lost);
        // '#': queue and exchange names contain dots (§6.1).
        await ch.bindQueue(q, TRACE_EXCHANGE, '#');
        queue = q;
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
