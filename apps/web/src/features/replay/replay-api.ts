/** HTTP calls of the replay dialog (docs/http-api.md "Replay"). */
import type { EnvelopeRecord, ReplayAuditEntry, ReplayPreview, ReplayRequestWire, ReplayResult } from '@osloscope/shared';

/** An agent refusal: its `{ error }` text, and for 429 how long to wait. */
export class ReplayApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterS: number | null,
  ) {
    super(message);
  }
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) {
    const retry = res.headers.get('retry-after');
    throw new ReplayApiError(json.error ?? `agent answered ${res.status}`, res.status, retry === null ? null : Number(retry));
  }
  return json as T;
}

export function previewReplay(req: ReplayRequestWire): Promise<ReplayPreview> {
  return post('/api/replay/preview', req);
}

/** Sends exactly the previewed message (`previewId`), with the user's confirmation. */
/** Sends the previewed message; `confirmTarget` when the user confirmed a target other than the original's. */
export function sendReplay(req: ReplayRequestWire, previewId: string, confirmTarget = false): Promise<ReplayResult> {
  return post('/api/replay', { id: req.id, previewId, confirm: true, ...(confirmTarget ? { confirmTarget: true } : {}) });
}

export async function fetchReplayAudit(limit = 50): Promise<ReplayAuditEntry[]> {
  const res = await fetch(`/api/replay/audit?limit=${limit}`);
  if (!res.ok) throw new Error(`agent answered ${res.status}`);
  return ((await res.json()) as { items: ReplayAuditEntry[] }).items;
}

/** Servers seen for a topic (for "send to another server"), from recent traffic. */
export async function fetchTopicServers(topic: string): Promise<string[]> {
  const res = await fetch(`/api/envelopes?topic=${encodeURIComponent(topic)}&limit=1000`);
  if (!res.ok) return [];
  const { items } = (await res.json()) as { items: EnvelopeRecord[] };
  const names = new Set<string>();
  for (const r of items) {
    if (r.server) names.add(r.server);
    if (r.target?.server) names.add(r.target.server);
  }
  return [...names].sort();
}
