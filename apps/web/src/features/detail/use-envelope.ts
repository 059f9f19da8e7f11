import { useEffect, useState } from 'react';
import type { EnvelopeDetail } from '@osloscope/shared';
import { fetchEnvelope } from '../../connection/socket';

export type Loaded<T> = { state: 'idle' } | { state: 'loading' } | { state: 'error'; error: string } | { state: 'ok'; value: T };

/** Loads one message's detail (raw body, broker facts) from the agent. */
export function useEnvelope(id: number | null): Loaded<EnvelopeDetail> {
  const [res, setRes] = useState<Loaded<EnvelopeDetail>>({ state: 'idle' });
  useEffect(() => {
    if (id === null) {
      setRes({ state: 'idle' });
      return undefined;
    }
    let live = true;
    setRes({ state: 'loading' });
    fetchEnvelope(id).then(
      (value) => live && setRes({ state: 'ok', value }),
      (e: unknown) => live && setRes({ state: 'error', error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [id]);
  return res;
}
