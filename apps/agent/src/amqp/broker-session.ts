/**
 * One logical broker connection that keeps itself alive: connect to the current host of
 * the failover list, let the source set up its channels, and when anything breaks
 * (connection 'close'/'error', a channel closing, the consumer being cancelled) move to
 * the next host and retry with exponential backoff. Capture interruptions are reported
 * to the capture core as one gap per outage, marked when capture resumes (or on stop).
 * Never throws out of a broker event: every 'error' is handled.
 */
import amqp, { type ChannelModel } from 'amqplib';
import { hostPortOf, maskUrlCredentials, toAmqpConnectOptions, type TransportUrl } from '@osloscope/shared';
import type { CaptureService } from '../ports/capture-service.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { createHostRotation, type HostRotation } from './host-rotation.js';
import type { Logger } from '../log.js';
import { interruptibleSleep } from './periodic.js';

export type SessionState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface SessionSnapshot {
  state: SessionState;
  /** `host:port` currently connected to (or being tried). */
  host: string | null;
  lastError: string | null;
  connectedSince: number | null;
  /** Successful reconnects after a lost connection. */
  reconnects: number;
}

export interface SetupContext {
  /** Index of the connected host in the transport URL's host list. */
  hostIndex: number;
  /** Report that something set up on this connection broke: the session reconnects. */
  lost(err: Error): void;
}

export interface BrokerSessionOptions {
  /** Source name (for gaps and logs). */
  name: string;
  url: TransportUrl;
  capture: Pick<CaptureService, 'markGap'>;
  log: Logger;
  reconnect?: BackoffOptions;
  /**
   * Declare the agent's own queues and start consuming on a fresh connection. Throwing
   * fails the attempt (the connection is closed and retried on the next host).
   */
  setup(conn: ChannelModel, ctx: SetupContext): Promise<void>;
  /** Called when a connection is lost or given up (before reconnecting); optional cleanup. */
  onDisconnect?(): void;
  /** Socket connect timeout, ms. @default 10000 */
  connectTimeoutMs?: number;
  /** Injected for tests (pin the shuffle). */
  random?: () => number;
  now?: () => number;
}

export interface BrokerSession {
  /** Resolves after the first connection attempt (connected or not; it keeps retrying). */
  start(): Promise<void>;
  /** Close the connection (the broker drops the agent's exclusive queues) and stop retrying. */
  stop(): Promise<void>;
  snapshot(): SessionSnapshot;
  /** Host index currently used (for the management URL that follows the host). */
  hostIndex(): number;
}

/** Error text safe for health and logs: no URL credentials, no password of the URL's hosts. */
export function scrubError(err: unknown, url: TransportUrl): string {
  let text = err instanceof Error ? err.message : String(err);
  text = maskUrlCredentials(text);
  for (const h of url.hosts) {
    // Very short passwords (e.g. "a") would mask random letters; they are not worth hiding.
    if (h.password.length >= 4) text = text.split(h.password).join('***');
  }
  return text;
}

export function createBrokerSession(opts: BrokerSessionOptions): BrokerSession {
  const { name, url, capture, log } = opts;
  const now = opts.now ?? Date.now;
  const backoff = opts.reconnect ?? DEFAULT_BACKOFF;
  const rotation: HostRotation<number> = createHostRotation(
    url.hosts.map((_, i) => i),
    opts.random,
  );
  const pause = interruptibleSleep();

  let state: SessionState = 'stopped';
  let lastError: string | null = null;
  let connectedSince: number | null = null;
  let reconnects = 0;
  let everConnected = false;
  let stopping = false;
  let current: ChannelModel | null = null;
  /** Start of the current outage, while capture is interrupted. */
  let gapFrom: number | null = null;
  let gapReason = '';
  let loop: Promise<void> | null = null;

  const hostLabel = (i: number) => hostPortOf(url.hosts[i]!);

  function closeGap(reasonSuffix = ''): void {
    if (gapFrom === null) return;
    const gap = { source: name, from: gapFrom, to: now(), reason: gapReason + reasonSuffix };
    gapFrom = null;
    try {
      capture.markGap(gap);
    } catch (e) {
      log.error('capture core rejected a gap', { source: name, error: String(e) });
    }
  }

  function openGap(reason: string): void {
    if (gapFrom !== null) return;
    gapFrom = now();
    gapReason = reason;
  }

  async function connectOnce(onFirstAttempt: () => void): Promise<'lost' | 'failed' | 'stopped'> {
    const idx = rotation.currentIndex();
    const host = hostLabel(idx);
    let conn: ChannelModel | null = null;
    let lostResolve: (e: Error) => void = () => undefined;
    const lost = new Promise<Error>((resolve) => (lostResolve = resolve));
    try {
      conn = await amqp.connect(
        { ...toAmqpConnectOptions(url, idx) },
        {
          timeout: opts.connectTimeoutMs ?? 10_000,
          // Lets operators recognise the agent in the management UI.
          clientProperties: { connection_name: `osloscope:${process.pid}:${name}` },
        },
      );
      current = conn;
      conn.on('error', (e: Error) => lostResolve(e));
      conn.on('close', (e?: Error) => lostResolve(e ?? new Error('connection closed')));
      if (stopping) {
        // stop() ran while we were connecting and could not see this connection.
        await conn.close().catch(() => undefined);
        current = null;
        return 'stopped';
      }
      await opts.setup(conn, { hostIndex: idx, lost: (e) => lostResolve(e) });
    } catch (e) {
      const msg = scrubError(e, url);
      lastError = msg;
      log.warn('cannot connect to the broker', { source: name, host, error: msg });
      if (conn) await conn.close().catch(() => undefined);
      current = null;
      onFirstAttempt();
      return stopping ? 'stopped' : 'failed';
    }
    // Connected and capturing.
    state = 'connected';
    connectedSince = now();
    if (everConnected) reconnects++;
    everConnected = true;
    closeGap();
    log.info('capturing', { source: name, host, vhost: url.vhost });
    onFirstAttempt();

    const err = await lost;
    connectedSince = null;
    current = null;
    try {
      opts.onDisconnect?.();
    } catch {
      /* cleanup must not break the reconnect loop */
    }
    // Close what is left (a channel-only failure leaves the connection open).
    await conn.close().catch(() => undefined);
    if (stopping) return 'stopped';
    const msg = scrubError(err, url);
    lastError = msg;
    openGap(`broker connection lost: ${msg}`);
    log.warn('broker connection lost; reconnecting', { source: name, host, error: msg });
    return 'lost';
  }

  async function run(onFirstAttempt: () => void): Promise<void> {
    let failures = 0;
    while (!stopping) {
      state = everConnected ? 'reconnecting' : 'connecting';
      const outcome = await connectOnce(onFirstAttempt);
      if (outcome === 'stopped' || stopping) break;
      if (outcome === 'lost') failures = 0;
      // kombu round-robin: the next attempt goes to the next host.
      rotation.advance();
      state = everConnected ? 'reconnecting' : 'connecting';
      await pause.sleep(backoffDelay(failures++, backoff));
    }
    state = 'stopped';
  }

  return {
    start() {
      if (loop) return Promise.resolve();
      stopping = false;
      state = 'connecting';
      return new Promise<void>((resolve) => {
        let first = true;
        loop = run(() => {
          if (first) {
            first = false;
            resolve();
          }
        });
        // If the loop ends (stop) before any attempt completed, still resolve.
        loop.finally(() => resolve());
      });
    },
    async stop() {
      stopping = true;
      pause.wake();
      const conn = current;
      if (conn) await conn.close().catch(() => undefined);
      if (loop) await loop;
      loop = null;
      // An outage that never ended still ends the capture: close the gap at stop time.
      closeGap(' (capture stopped before the broker came back)');
      state = 'stopped';
      connectedSince = null;
    },
    snapshot: () => ({
      state,
      host: state === 'stopped' ? null : hostLabel(rotation.currentIndex()),
      lastError,
      connectedSince,
      reconnects,
    }),
    hostIndex: () => rotation.currentIndex(),
  };
}
