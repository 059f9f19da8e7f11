/**
 * Start-up check: is any broker of the configured transport URLs reachable? A plain TCP
 * connect with a short timeout: enough to decide between real capture and the demo
 * fallback, and it needs no credentials (bad credentials are a source error the user
 * should see, not a reason to show simulated traffic).
 */
import net from 'node:net';
import type { TransportUrl } from '@osloscope/shared';

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/** Whether `host:port` accepts a TCP connection within `timeoutMs`. Never throws. */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when at least one host of at least one URL answers (all tried in parallel). */
export async function anyBrokerReachable(urls: readonly TransportUrl[], timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<boolean> {
  const attempts = urls.flatMap((url) => url.hosts.map((h) => canConnect(h.hostname, h.port, timeoutMs)));
  const results = await Promise.all(attempts);
  return results.some(Boolean);
}
