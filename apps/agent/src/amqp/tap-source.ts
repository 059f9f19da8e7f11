/**
 * Tap mode, for users without the rights to switch tracing on: the agent binds its own
 * server-named, exclusive, auto-delete queue to the oslo exchanges and receives a COPY
 * of every message routed there (RabbitMQ routes a message to every bound queue, so
 * the application's queues are untouched). Application exchanges are only checked
 * (passive declare), never declared. What stays invisible: replies (they go through
 * the default exchange, which cannot be bound) and which server took a round-robin call.
 */
import type { Channel, ChannelModel } from 'amqplib';
import type { CaptureSource } from '../ports/source.js';
import { createAmqpSource, type SourceContext } from './amqp-source.js';
import { toAmqpProperties } from './amqp-values.js';
import type { CaptureDeliveryKind } from './capture-delivery-handler.js';
import { openCaptureQueue } from './capture-consumer.js';
import type { TapSourceOptions } from './source-options.js';
import { selectTapExchanges, type TapExchanges } from './tap-exchanges.js';

export const TAP_BLIND_SPOTS = [
  'replies (published to the default exchange) are not visible in tap mode',
  'which server took a round-robin call is not visible in tap mode',
] as const;

/** Fallback when neither `exchanges` nor the management API says: oslo's default control_exchange. */
const DEFAULT_CONTROL_EXCHANGE = 'openstack';

/** Tap deliveries are copies of the application's messages: their own exchange and properties. */
export const TAPPED_MESSAGE: CaptureDeliveryKind = {
  origin: 'tap',
  what: 'a tapped message',
  exchange: (msg) => msg.fields.exchange,
  // The message's own headers are in properties.headers.
  headers: () => ({}),
  properties: (msg) => toAmqpProperties(msg.properties),
};

export function createTapSource(opts: TapSourceOptions): CaptureSource {
  return createAmqpSource(opts, (ctx: SourceContext) => {
    /** Per connection: our queue, a channel for (possibly failing) binds, what is bound. */
    let conn: ChannelModel | null = null;
    let queue: string | null = null;
    let bindChannel: Channel | null = null;
    const bound = new Set<string>();
    let warnings: string[] = [];

    /**
     * Binds go on their own channel: checking or binding an exchange that vanished
     * (fanout exchanges are auto-delete) closes the channel with 404, and that must
     * not stop the consumer.
     */
    async function bindOne(exchange: string): Promise<boolean> {
      if (!conn || !queue) return false;
      try {
        if (!bindChannel) {
          const ch = await conn.createChannel();
          ch.on('error', () => undefined); // a 404 here is expected and handled below
          ch.on('close', () => {
            if (bindChannel === ch) bindChannel = null;
          });
          bindChannel = ch;
        }
        await bindChannel.checkExchange(exchange);
        await bindChannel.bindQueue(queue, exchange, '#');
        return true;
      } catch {
        bindChannel = null;
        return false;
      }
    }

    async function discover(): Promise<TapExchanges & { warning: string | null }> {
      try {
        const all = await ctx.management().getExchanges(ctx.url.vhost);
        return { ...selectTapExchanges(all, opts.exchanges), warning: null };
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        const control = opts.exchanges ?? [DEFAULT_CONTROL_EXCHANGE];
        return {
          ...selectTapExchanges([], control),
          warning: `cannot list exchanges through the management API (${msg}): tapping only ${control.join(', ')}; fanout casts are not captured`,
        };
      }
    }

    /** Bind to every wanted exchange not bound yet; forget vanished ones so they are re-bound when they come back. */
    async function syncBindings(): Promise<void> {
      const found = await discover();
      const wanted = [...found.control, ...found.fanout];
      const next: string[] = found.warning ? [found.warning] : [];
      for (const x of [...bound]) if (!wanted.includes(x) && !found.warning) bound.delete(x);
      const missing: string[] = [];
      for (const x of wanted) {
        if (bound.has(x)) continue;
        if (await bindOne(x)) {
          bound.add(x);
          ctx.log.info('tapping exchange', { source: opts.name, exchange: x });
        } else {
          missing.push(x);
        }
      }
      if (missing.length > 0) next.push(`cannot bind to exchange(s) ${missing.join(', ')} (not found or not permitted); retrying`);
      if (found.control.length === 0) next.push(`no control exchange found in vhost "${ctx.url.vhost}" yet; will look again`);
      warnings = next;
    }

    return {
      mode: 'tap',
      async setup(c, sctx) {
        conn = c;
        bound.clear();
        const ch = await c.createChannel();
        ch.on('error', (e: Error) => sctx.lost(e));
        ch.on('close', () => sctx.lost(new Error('tap channel closed')));
        queue = await openCaptureQueue(ch, TAPPED_MESSAGE, opts, sctx.lost);
        await syncBindings();
      },
      onDisconnect() {
        conn = null;
        queue = null;
        bindChannel = null;
        bound.clear();
      },
      captureQueue: () => queue,
      periodic: syncBindings,
      health: () => ({ tracing: [], tracingEnabledByAgent: false, warnings, blindSpots: [...TAP_BLIND_SPOTS] }),
    };
  });
}
