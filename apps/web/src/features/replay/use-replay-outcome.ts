import { useEffect, useState } from 'react';
import type { EnvelopeDetail } from '@osloscope/shared';
import { fetchEnvelope } from '../../connection/socket';

const POLL_MS = 500;

/**
 * Follows a record until its outcome is settled (a call's reply or timeout; a cast at once),
 * so the dialog can show the replay next to the original.
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
          if (d.outcome?.status === 'pending' && Date.now() - started < maxWaitMs) timer = setTimeout(poll, POLL_MS);
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
