/**
 * RabbitMQ management HTTP API helpers for tests: one fresh vhost per test run, so
 * parallel or repeated runs never see each other's queues or trace events.
 */
import { randomBytes } from 'node:crypto';
import { BROKER_HOST, BROKER_PASSWORD, BROKER_USER, MANAGEMENT_URL } from './paths.js';

const AUTH = `Basic ${Buffer.from(`${BROKER_USER}:${BROKER_PASSWORD}`).toString('base64')}`;

/** A non-2xx answer from the management API. */
export class ManagementHttpError extends Error {
  override readonly name = 'ManagementHttpError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} -> HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * One management API request (basic auth guest:guest). Resolves with the parsed JSON
 * body, or `null` for an empty body (PUT/DELETE answer 201/204 with none).
 * Rejects with ManagementHttpError on a non-2xx status.
 */
export async function managementRequest<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: AUTH };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${MANAGEMENT_URL}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ManagementHttpError(method, path, res.status, text);
  return (text === '' ? null : JSON.parse(text)) as T;
}

/** `/api/...` path segment for a vhost (`/` → `%2F`). */
export function vhostSegment(vhost: string): string {
  return encodeURIComponent(vhost);
}

/** A vhost created for one test run. */
export interface TestVhost {
  /** e.g. `osloscope-test-scenario-3f9a1c2b` */
  name: string;
  /** oslo transport URL for the vhost: `rabbit://guest:guest@127.0.0.1:5672/<pct-encoded>` */
  url: string;
  /** Same broker and vhost for amqplib: `amqp://guest:guest@127.0.0.1:5672/<pct-encoded>` */
  amqpUrl: string;
  /** Deletes the vhost (and everything in it). Safe to call twice. */
  cleanup(): Promise<void>;
}

/**
 * Creates `osloscope-test-<prefix>-<random>` and gives guest full permissions on it.
 * Call `cleanup()` in afterAll.
 */
export async function createTestVhost(prefix: string): Promise<TestVhost> {
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '-');
  const name = `osloscope-test-${safePrefix}-${randomBytes(4).toString('hex')}`;
  const seg = vhostSegment(name);
  await managementRequest('PUT', `/api/vhosts/${seg}`, { description: 'osloscope test run' });
  await managementRequest('PUT', `/api/permissions/${seg}/${BROKER_USER}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  let deleted = false;
  return {
    name,
    url: `rabbit://${BROKER_USER}:${BROKER_PASSWORD}@${BROKER_HOST}/${seg}`,
    amqpUrl: `amqp://${BROKER_USER}:${BROKER_PASSWORD}@${BROKER_HOST}/${seg}`,
    async cleanup() {
      if (deleted) return;
      deleted = true;
      try {
        await managementRequest('DELETE', `/api/vhosts/${seg}`);
      } catch (err) {
        // Already gone is fine; anything else should fail the test run.
        if (!(err instanceof ManagementHttpError && err.status === 404)) throw err;
      }
    },
  };
}

interface VhostRecord {
  name: string;
  tracing?: boolean;
  description?: string;
  tags?: string[];
}

/**
 * Switches the firehose on or off for a vhost. A PUT replaces the whole vhost record,
 * so the description and tags are read first and sent back unchanged.
 */
export async function setTracing(vhost: string, on: boolean): Promise<void> {
  const seg = vhostSegment(vhost);
  const current = await managementRequest<VhostRecord>('GET', `/api/vhosts/${seg}`);
  await managementRequest('PUT', `/api/vhosts/${seg}`, {
    description: current.description ?? '',
    tags: (current.tags ?? []).join(','),
    tracing: on,
  });
}

/** Whether the firehose is on for a vhost. */
export async function isTracing(vhost: string): Promise<boolean> {
  const rec = await managementRequest<VhostRecord>('GET', `/api/vhosts/${vhostSegment(vhost)}`);
  return rec.tracing === true;
}

/** A queue and its counts. The management API refreshes counts about every 5 s. */
export interface QueueCounts {
  name: string;
  messages: number;
  messagesReady: number;
  messagesUnacknowledged: number;
  consumers: number;
}

interface QueueRecord {
  name: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

/** The queues of a vhost with their message and consumer counts, sorted by name. */
export async function getQueues(vhost: string): Promise<QueueCounts[]> {
  const rows = await managementRequest<QueueRecord[]>('GET', `/api/queues/${vhostSegment(vhost)}`);
  return rows
    .map((q) => ({
      name: q.name,
      messages: q.messages ?? 0,
      messagesReady: q.messages_ready ?? 0,
      messagesUnacknowledged: q.messages_unacknowledged ?? 0,
      consumers: q.consumers ?? 0,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
