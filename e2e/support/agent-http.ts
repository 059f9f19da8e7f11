/**
 * The agent's HTTP API as an independent oracle for the journeys: the UI filters in the
 * browser (shared matcher over the socket stream), the API filters in SQL, so agreement
 * between the two is a real check.
 */
import type { EnvelopeRecord, HealthReport } from '@osloscope/shared';

export class AgentHttp {
  constructor(readonly baseUrl: string) {}

  async json<T>(path: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path} -> HTTP ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  health(): Promise<HealthReport> {
    return this.json<HealthReport>('/api/health');
  }

  /** Every stored record matching `query` (`server=node-b`), oldest first. Test runs stay far below one page. */
  async envelopes(query = ''): Promise<EnvelopeRecord[]> {
    const params = new URLSearchParams(query);
    params.set('limit', '1000');
    const page = await this.json<{ items: EnvelopeRecord[] }>(`/api/envelopes?${params.toString()}`);
    return [...page.items].sort((a, b) => a.id - b.id);
  }
}

/**
 * Polls `check` until it returns something truthy; on timeout, fails saying what was awaited
 * and what was seen last (so a red run explains itself).
 */
export async function waitUntil<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 250): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last)?.slice(0, 500);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
