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

export { waitUntil } from '@osloscope/agent/test-support';
