import { useEffect, useState } from 'react';
import type { EnvelopeDetail } from '@osloscope/shared';
import { fetchEnvelope } from '../../connection/socket';

const POLL_MS = 500;
/**
 * How long a record is followed for what comes after its outcome: a cast's first delivery (one
 * with no consumer never gets one), the server behind a call's delivery (the agent learns which
 * server owns a connection from the management API every few seconds).
 */
const FACTS_WAIT_MS = 5_000;

/** A call's reply or timeout and the server that took it; a cast's first delivery; or a few seconds without them. */
function settled(d: EnvelopeDetail, elapsedMs: number): boolean {
  if (d.kind === 'call') return d.outcome !== null && d.outcome.status !== 'pending' && (d.server !== null || elapsedMs >= FACTS_WAIT_MS);
  return d.deliveries.length > 0 || elapsedMs >= FACTS_WAIT_MS;
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
