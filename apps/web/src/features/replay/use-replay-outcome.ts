import { useEffect, useState } from 'react';
import type { EnvelopeDetail } from '@osloscope/shared';
import { fetchEnvelope } from '../../connection/socket';

const POLL_MS = 500;
/** How long a cast is followed for its first delivery (one with no consumer never gets one). */
const DELIVERY_WAIT_MS = 5_000;
/**
 * How long an answered call is followed for the server that took it: a round-robin call is
 * attributed once the agent's directory names the consumer's connection, from the management
 * API's consumer list (its statistics refresh every 5 s, later on a busy broker).
 */
const SERVER_WAIT_MS = 30_000;

/** A call's reply or timeout and the server that took it; a cast's first delivery; or long enough without them. */
function settled(d: EnvelopeDetail, elapsedMs: number): boolean {
  if (d.kind === 'call') return d.outcome !== null && d.outcome.status !== 'pending' && (d.server !== null || elapsedMs >= SERVER_WAIT_MS);
  return d.deliveries.length > 0 || elapsedMs >= DELIVERY_WAIT_MS;
}

/**
 * Follows a record until its outcome is settled, so the dialog can show the replay next to
 * the original.
 */
export function useSettledEnvelope(id: number | null, maxWaitMs = 120_000): EnvelopeDetail | null {
  const [detail, setDetail] = useState<EnvelopeDetail | null>(null);
  useEffect(() => {
    setDetail(null);
    if (id === null) return undefined;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const poll = () => {
      fetchEnvelope(id).then(
        (d) => {
          if (!live) return;
          setDetail(d);
          const elapsed = Date.now() - started;
          if (!settled(d, elapsed) && elapsed < maxWaitMs) timer = setTimeout(poll, POLL_MS);
        },
        () => {
          if (live && Date.now() - started < maxWaitMs) timer = setTimeout(poll, POLL_MS);
        },
      );
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, maxWaitMs]);
  return detail;
}
