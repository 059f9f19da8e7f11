import { useEffect, useState } from 'react';
import type { EnvelopeDetail } from '@osloscope/shared';
import { fetchEnvelope } from '../../connection/socket';

export type Loaded<T> = { state: 'idle' } | { state: 'loading' } | { state: 'error'; error: string } | { state: 'ok'; value: T };

/**
 * Loads one message's detail (raw body, broker facts) from the agent. A result is kept with the
 * id it is for: when the id changes, the previous message's detail is never returned for the new
 * one (it would show for a render under the new message's number), only `loading`.
 */
export function useEnvelope(id: number | null): Loaded<EnvelopeDetail> {
  const [res, setRes] = useState<{ id: number; loaded: Loaded<EnvelopeDetail> } | null>(null);
  useEffect(() => {
    if (id === null) return undefined;
    let live = true;
    fetchEnvelope(id).then(
      (value) => live && setRes({ id, loaded: { state: 'ok', value } }),
      (e: unknown) => live && setRes({ id, loaded: { state: 'error', error: e instanceof Error ? e.message : String(e) } }),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (id === null) return { state: 'idle' };
  return res !== null && res.id === id ? res.loaded : { state: 'loading' };
}
