/**
 * Shared bits of the agent-*.test.ts integration tests: they drive the real built agent
 * process and look at it only through its HTTP API, as a user (or the web app) would.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CaptureGap, EnvelopeDetail, EnvelopeRecord, HealthReport } from '@osloscope/shared';
import { createTestVhost, managementRequest, startAgent, vhostSegment, waitUntil, type RunningAgent, type TestVhost } from '../support/index.js';

/** The auth token every oslo test script puts in its request context (scenario_common.py). */
export const SCENARIO_AUTH_TOKEN = 'gAAAAABsecret-token-value';

/** One HTTP answer, kept whole so tests can scan the exact text a user receives. */
export interface ApiResponse {
  path: string;
  status: number;
  contentType: string;
  text: string;
}

/**
 * A small client for one agent's HTTP API. Every answer it receives is kept in
 * `responses`, so a test can check something about ALL of them (no secret leaked).
 */
export class AgentApi {
  readonly responses: ApiResponse[] = [];

  constructor(readonly baseUrl: string) {}

  /** Any request; the answer is recorded. */
  async request(path: string, init: RequestInit = {}): Promise<ApiResponse> {
    const res = await fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
    const answer: ApiResponse = {
      path,
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      text: await res.text(),
    };
    this.responses.push(answer);
    return answer;
  }

  /** GET a JSON resource; throws with the body on a non-2xx status. */
  async json<T>(path: string): Promise<T> {
    const res = await this.request(path);
    if (res.status < 200 || res.status > 299) throw new Error(`GET ${path} -> HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text) as T;
  }

  health(): Promise<HealthReport> {
    return this.json<HealthReport>('/api/health');
  }

  gaps(): Promise<CaptureGap[]> {
    return this.json<CaptureGap[]>('/api/gaps');
  }

  envelope(id: number): Promise<EnvelopeDetail> {
    return this.json<EnvelopeDetail>(`/api/envelopes/${id}`);
  }

  /** Every stored record matching `query` (e.g. `kind=call`), oldest first, following pages. */
  async allEnvelopes(query = ''): Promise<EnvelopeRecord[]> {
    const out: EnvelopeRecord[] = [];
    let before: number | null = null;
    for (;;) {
      const params = new URLSearchParams(query);
      params.set('limit', '1000');
      if (before !== null) params.set('before', String(before));
      const page = await this.json<{ items: EnvelopeRecord[]; total: number }>(`/api/envelopes?${params.toString()}`);
      out.push(...page.items);
      if (page.items.length < 1000) break;
      before = Math.min(...page.items.map((r) => r.id));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** GET /api/export as text (NDJSON). */
  async exportText(): Promise<string> {
    const res = await this.request('/api/export');
    if (res.status !== 200) throw new Error(`GET /api/export -> HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    return res.text;
  }

  /** POST /api/import with NDJSON; resolves with the agent's `{ imported, errors }`. */
  async importText(ndjson: string): Promise<{ imported: number; errors: number }> {
    const res = await this.request('/api/import', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: ndjson,
    });
    if (res.status !== 200) throw new Error(`POST /api/import -> HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text) as { imported: number; errors: number };
  }
}

export { waitUntil };

/** Agents started one after another on one test vhost and one data dir, as an operator restarts one. */
export interface AgentRuns {
  readonly vhost: TestVhost;
  readonly dataDir: string;
  /** Starts an agent on them and waits until it captures with tracing on; resolves with its health then. */
  start(): Promise<{ agent: RunningAgent; api: AgentApi; health: HealthReport }>;
  /** `kill -9`: nothing cleaned up. */
  kill(agent: RunningAgent): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(agent: RunningAgent): Promise<number | null>;
  /** Stops whatever still runs, deletes the vhost and the data dir. */
  cleanup(): Promise<void>;
}

export async function agentRuns(prefix: string): Promise<AgentRuns> {
  const vhost = await createTestVhost(prefix);
  const dataDir = await mkdtemp(path.join(tmpdir(), `osloscope-it-${prefix}-`));
  const running: RunningAgent[] = [];
  const forget = (agent: RunningAgent) => running.splice(running.indexOf(agent), 1);
  return {
    vhost,
    dataDir,
    async start() {
      const agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback', '--data-dir', dataDir] });
      running.push(agent);
      const api = new AgentApi(agent.baseUrl);
      const health = await waitUntil('the agent to capture with tracing on', async () => {
        const h = await api.health();
        const src = h.sources[0];
        return src?.state === 'connected' && src.tracing.some((t) => t.tracing) ? h : null;
      });
      return { agent, api, health };
    },
    async kill(agent) {
      forget(agent);
      await agent.kill();
    },
    async stop(agent) {
      forget(agent);
      return agent.stop();
    },
    async cleanup() {
      for (const agent of running.splice(0)) await agent.stop();
      await vhost.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What an export's trailer (its last line) says. */
export interface ExportTrailer {
  lines: number;
  missing: number;
  reasons: string[];
}

/** An export's record lines and its trailer (undefined when the last line is no trailer: the file was cut short). */
export function splitExport(text: string): { records: { record: EnvelopeRecord }[]; trailer: ExportTrailer | undefined } {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.at(-1);
  const trailer = last !== undefined && 'trailer' in last ? (last['trailer'] as ExportTrailer) : undefined;
  return { records: (trailer ? lines.slice(0, -1) : lines) as { record: EnvelopeRecord }[], trailer };
}

/**
 * Every base64 string inside a JSON value, decoded: raw message bodies travel as base64
 * (`rawBase64`, `raw.bodyBase64`), so a plain text scan would not see a secret inside.
 */
export function decodedBase64Fields(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown, key: string | null): void => {
    if (typeof v === 'string') {
      if (key !== null && /base64$/i.test(key)) out.push(Buffer.from(v, 'base64').toString('utf8'));
      return;
    }
    if (Array.isArray(v)) for (const item of v) visit(item, null);
    else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) visit(item, k);
  };
  visit(value, null);
  return out;
}

/** The text of an answer plus every base64 body inside it (JSON or NDJSON), decoded. */
export function everythingIn(res: ApiResponse): string[] {
  const parts = [res.text];
  const documents = res.contentType.includes('ndjson') ? res.text.split('\n').filter((l) => l.trim() !== '') : [res.text];
  for (const doc of documents) {
    try {
      parts.push(...decodedBase64Fields(JSON.parse(doc)));
    } catch {
      // Not JSON (an HTML page, say): its text alone is what the user gets.
    }
  }
  return parts;
}

// --- RabbitMQ itself ----------------------------------------------------------------------

const run = promisify(execFile);

/** `rabbitmqctl <args>` on the local broker. */
export function rabbitmqctl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('rabbitmqctl', args, { timeout: 90_000 });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Waits until AMQP (5672) and the management API (15672) answer again. */
export async function waitForBroker(timeoutMs = 90_000): Promise<void> {
  await waitUntil('AMQP port 5672 to accept connections', () => portOpen(5672), timeoutMs, 250);
  await waitUntil('the management API to answer', () => managementRequest('GET', '/api/overview').then(() => true), timeoutMs, 250);
}

/** A queue as the management API lists it. */
export interface QueueFacts {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  exclusive: boolean;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

/** An exchange as the management API lists it. */
export interface ExchangeFacts {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
}

/** The queues of a vhost, sorted by name. */
export async function vhostQueues(vhost: string): Promise<QueueFacts[]> {
  const rows = await managementRequest<QueueFacts[]>('GET', `/api/queues/${vhostSegment(vhost)}`);
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** The exchanges of a vhost, sorted by name. */
export async function vhostExchanges(vhost: string): Promise<ExchangeFacts[]> {
  const rows = await managementRequest<ExchangeFacts[]>('GET', `/api/exchanges/${vhostSegment(vhost)}`);
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** One queue's facts (GET /api/queues/<vh>/<q>). */
export function vhostQueue(vhost: string, queue: string): Promise<QueueFacts> {
  return managementRequest<QueueFacts>('GET', `/api/queues/${vhostSegment(vhost)}/${encodeURIComponent(queue)}`);
}

/**
 * Messages published into a vhost so far, as the management API counts them (`message_stats.publish`;
 * null before its first statistics). The count lags the publishes by up to ~5 s (the broker's
 * statistics interval).
 */
export async function vhostPublished(vhost: string): Promise<number | null> {
  const v = await managementRequest<{ message_stats?: { publish?: number } }>('GET', `/api/vhosts/${vhostSegment(vhost)}`);
  return v.message_stats?.publish ?? null;
}
