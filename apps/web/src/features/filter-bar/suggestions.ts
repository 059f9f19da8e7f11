/** Distinct values seen in the buffer, offered as suggestions in the filter inputs. */
import type { EnvelopeRecord } from '@osloscope/shared';

export interface FilterSuggestions {
  exchange: string[];
  topic: string[];
  server: string[];
  namespace: string[];
  method: string[];
  version: string[];
}

const LIMIT = 200;

export function collectSuggestions(records: Iterable<EnvelopeRecord>): FilterSuggestions {
  const sets = {
    exchange: new Set<string>(),
    topic: new Set<string>(),
    server: new Set<string>(),
    namespace: new Set<string>(),
    method: new Set<string>(),
    version: new Set<string>(),
  };
  const add = (set: Set<string>, v: string | null | undefined) => {
    if (v && set.size < LIMIT) set.add(v);
  };
  for (const r of records) {
    add(sets.exchange, r.target?.exchange ?? r.exchange);
    add(sets.topic, r.target?.topic);
    add(sets.server, r.server ?? r.target?.server);
    for (const s of r.reached ?? []) add(sets.server, s);
    add(sets.namespace, r.target?.namespace);
    add(sets.method, r.method);
    add(sets.version, r.target?.version);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    exchange: sorted(sets.exchange),
    topic: sorted(sets.topic),
    server: sorted(sets.server),
    namespace: sorted(sets.namespace),
    method: sorted(sets.method),
    version: sorted(sets.version),
  };
}

/** Whether two suggestion sets offer the same values (so the inputs need not re-render). */
export function sameSuggestions(a: FilterSuggestions, b: FilterSuggestions): boolean {
  return (Object.keys(a) as (keyof FilterSuggestions)[]).every((k) => a[k].length === b[k].length && a[k].every((v, i) => v === b[k][i]));
}
