/**
 * What the firehose and tap sources have in common: the self-healing broker session,
 * the management API (following the connected host), the ConnectionDirectory refresh
 * every ~5 s, a mode-specific periodic check, the capture queue's backlog every ~2 s, the
 * broker's publish count for downtime accounting every ~5 s (and the downtime gap on the first
 * connection), and the SourceHealth report. The modes only say how to set up capture on a
 * fresh connection.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { parseTransportUrl, redactTransportUrl, type SourceHealth, type TransportUrl, type TracingNodeState } from '@osloscope/shared';
import type { CaptureSource } from '../ports/source.js';
import { createBrokerSession, type BrokerSession, type SetupContext } from './broker-session.js';
import { buildDirectoryFacts } from './directory-facts.js';
import { createDowntimeWatch } from './downtime-watch.js';
import type { Logger } from '../log.js';
import { createManagementAccess } from './management-access.js';
import type { ManagementClient } from './management-client.js';
import { every } from './periodic.js';
import type { AmqpSourceOptions } from './source-options.js';

/** What a mode's code can use. */
export interface SourceContext {
  readonly name: string;
  readonly url: TransportUrl;
  readonly log: Logger;
  /** Management client for the currently connected host. */
  management(): ManagementClient;
  /** Whether capture is currently live (connected). */
  connected(): boolean;
}

export interface CaptureMode {
  mode: 'firehose' | 'tap';
  /** Declare the agent's queue(s), bind, consume. Throw to fail the attempt. */
  setup(conn: ChannelModel, ctx: SetupContext): Promise<void>;
  /** Connection gone: forget per-connection state (bindings, channels). */
  onDisconnect?(): void;
  /** The queue capture consumes on the current connection (server-named), null before setup and after a disconnect. */
  captureQueue(): string | null;
  /** Mode check every `checkMs` while connected (tracing state, new exchanges). */
  periodic?(): Promise<void>;
  /** After the connection is closed on stop (switch tracing off). Never throws. */
  afterStop?(): Promise<void>;
  health(): { tracing: TracingNodeState[]; tracingEnabledByAgent: boolean; warnings: string[]; blindSpots: string[] };
}

export function createAmqpSource(opts: AmqpSourceOptions, makeMode: (ctx: SourceContext) => CaptureMode): CaptureSource {
  // A bad URL is a configuration error: throw now (TransportUrlError never shows the password).
  const url = parseTransportUrl(opts.transportUrl);
  const log = opts.log;
  const access = createManagementAccess(url, opts.managementUrl);
  const directoryMs = opts.intervals?.directoryMs ?? 5000;
  const checkMs = opts.intervals?.checkMs ?? 10_000;
  const backlogMs = opts.intervals?.backlogMs ?? 2000;
  const brokerCountMs = opts.intervals?.brokerCountMs ?? 5000;
  let session: BrokerSession | null = null;
  /** The current connection (for the backlog check's channel), null while disconnected. */
  let connection: ChannelModel | null = null;
  let backlogChannel: Channel | null = null;
  let backlog: number | null = null;
  let managementWarning: string | null = null;
  let timers: Array<() => void> = [];
  let stopped = true;

  const ctx: SourceContext = {
    name: opts.name,
    url,
    log,
    management: () => access.clientFor(session?.hostIndex() ?? 0),
    connected: () => session?.snapshot().state === 'connected',
  };
  const mode = makeMode(ctx);
  const downtime = opts.continuity
    ? createDowntimeWatch({
        source: opts.name,
        vhost: url.vhost,
        management: ctx.management,
        continuity: opts.continuity,
        capture: opts.capture,
        countsEverything: mode.mode === 'firehose',
        log,
      })
    : null;

  async function refreshDirectory(): Promise<void> {
    const client = ctx.management();
    try {
      const [connections, consumers] = await Promise.all([client.getVhostConnections(url.vhost), client.getConsumers(url.vhost)]);
      opts.directory.updateFromManagement(opts.name, buildDirectoryFacts(connections, consumers));
      if (managementWarning) log.info('management API reachable again', { source: opts.name, url: client.baseUrl });
      managementWarning = null;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!managementWarning) log.warn('management API not usable; capture continues', { source: opts.name, error: msg });
      managementWarning = `management API not usable (${msg}): process and server names cannot be shown`;
    }
  }

  /**
   * How many events wait in the capture queue: a passive declare (no management API needed)
   * on a channel of its own, so a failed check (the queue gone with its connection) never
   * closes the consuming channel. The answer queues behind deliveries already sent, so it is
   * a few seconds late when capture is far behind; that is when it matters least.
   */
  async function checkBacklog(): Promise<void> {
    const conn = connection;
    const queue = mode.captureQueue();
    if (!conn || queue === null) {
      backlog = null;
      return;
    }
    try {
      if (!backlogChannel) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined); // a failed check is reported as unknown below
        ch.on('close', () => {
          if (backlogChannel === ch) backlogChannel = null;
        });
        backlogChannel = ch;
      }
      const ok = await backlogChannel.checkQueue(queue);
      backlog = connection === conn ? ok.messageCount : null;
    } catch {
      backlog = null;
      backlogChannel = null;
    }
  }

  return {
    name: opts.name,
    async start() {
      if (!stopped) return;
      stopped = false;
      session = createBrokerSession({
        name: opts.name,
        url,
        capture: opts.capture,
        log,
        ...(opts.reconnect ? { reconnect: opts.reconnect } : {}),
        setup: async (conn, sctx) => {
          // Before capture starts: the broker's count then covers exactly what was missed.
          await downtime?.beforeCapture();
          await mode.setup(conn, sctx);
          connection = conn;
          // Fresh connection: who is who may have changed (restart); learn it now.
          void refreshDirectory();
        },
        onDisconnect: () => {
          connection = null;
          backlogChannel = null;
          backlog = null;
          mode.onDisconnect?.();
        },
      });
      timers = [
        every(directoryMs, async () => {
          if (ctx.connected()) await refreshDirectory();
        }),
        every(backlogMs, async () => {
          if (ctx.connected()) await checkBacklog();
          else backlog = null;
        }),
      ];
      if (downtime) {
        timers.push(
          every(brokerCountMs, async () => {
            if (ctx.connected()) await downtime.sample();
          }),
        );
      }
      const periodic = mode.periodic;
      if (periodic) {
        timers.push(
          every(checkMs, async () => {
            if (ctx.connected()) await periodic();
          }),
        );
      }
      await session.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const cancel of timers) cancel();
      timers = [];
      await session?.stop();
      await mode.afterStop?.();
    },
    health(): SourceHealth {
      const snap = session?.snapshot();
      const m = mode.health();
      const warnings = [...m.warnings];
      if (managementWarning) warnings.push(managementWarning);
      return {
        name: opts.name,
        url: redactTransportUrl(url),
        mode: mode.mode,
        state: stopped ? 'stopped' : (snap?.state ?? 'connecting'),
        vhost: url.vhost,
        host: stopped ? null : (snap?.host ?? null),
        tracing: m.tracing,
        tracingEnabledByAgent: m.tracingEnabledByAgent,
        warnings,
        blindSpots: m.blindSpots,
        lastError: snap?.lastError ?? null,
        connectedSince: snap?.connectedSince ?? null,
        reconnects: snap?.reconnects ?? 0,
        backlog: !stopped && snap?.state === 'connected' ? backlog : null,
      };
    },
  };
}
