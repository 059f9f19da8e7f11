/** HTTP helpers for the replay integration tests (the agent runs as a real process). */
import type { EnvelopeDetail, EnvelopeRecord } from '@osloscope/shared';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = Record<string, unknown>>(baseUrl: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** Polls `GET /api/envelopes?<query>` until `pick` finds a record. */
export async function waitForRecord(baseUrl: string, query: string, pick: (r: EnvelopeRecord) => boolean, timeoutMs = 30_000): Promise<EnvelopeRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<{ items: EnvelopeRecord[] }>(baseUrl, `/api/envelopes?${query}&limit=1000`);
    const found = body.items?.find(pick);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no record matching ${query} within ${timeoutMs} ms: ${JSON.stringify(body).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls `GET /api/envelopes/:id` until `test` holds. */
export async function waitForDetail(baseUrl: string, id: number, test: (d: EnvelopeDetail) => boolean, timeoutMs = 30_000): Promise<EnvelopeDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<EnvelopeDetail>(baseUrl, `/api/envelopes/${id}`);
    if (test(body)) return body;
    if (Date.now() > deadline) throw new Error(`envelope ${id} did not reach the expected state: ${JSON.stringify(body).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `POST /api/replay`, waiting out the rate limit (429 + Retry-After) as a user would, so tests are independent of each other's replays. */
export async function replayAllowed<T>(baseUrl: string, body: unknown): Promise<ApiAnswer<T>> {
  for (let attempt = 0; ; attempt++) {
    const answer = await api<T>(baseUrl, '/api/replay', body);
    if (answer.status !== 429 || attempt >= 3) return answer;
    await new Promise((r) => setTimeout(r, Number(answer.headers.get('retry-after') ?? '1') * 1000));
  }
}
