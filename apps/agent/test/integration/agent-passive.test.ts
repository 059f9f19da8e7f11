/**
 * The agent is passive: attaching it does not change what the application's queues hold,
 * it declares only exclusive, non-durable queues of its own (no exchanges), and once it
 * exits the vhost looks exactly as it did before (tracing off again).
 */
import type { EnvelopeRecord } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost, isTracing, runOsloClient, startAgent, startOsloServers, type RunningAgent, type TestVhost } from '../support/index.js';
import { AgentApi, vhostExchanges, vhostQueue, vhostQueues, waitUntil, type ExchangeFacts, type QueueFacts } from './agent-helpers.js';

const TOPIC = 'passive-it';

let vhost: TestVhost;
let agent: RunningAgent | null = null;

/** Real oslo casts to the topic, sent in parallel (each is its own client process). */
async function castBatch(batch: string, n: number): Promise<void> {
  const runs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      runOsloClient({ transportUrl: vhost.url, topic: TOPIC, action: 'cast', method: 'record_event', args: { event: { batch, i } } }),
    ),
  );
  for (const r of runs) expect(r.code, r.stderr.slice(-2000)).toBe(0);
}

/** Polls the management API (its counts lag ~5 s) until the topic queue holds `n` messages. */
function topicQueueHolds(n: number): Promise<QueueFacts> {
  return waitUntil(
    `queue ${TOPIC} to hold ${n} messages`,
    async () => {
      const q = await vhostQueue(vhost.name, TOPIC);
      return q.messages === n ? q : null;
    },
    30_000,
    500,
  );
}

const shape = (q: QueueFacts) => ({ name: q.name, durable: q.durable, auto_delete: q.auto_delete, exclusive: q.exclusive });
const exchangeShape = (e: ExchangeFacts) => ({ name: e.name, type: e.type, durable: e.durable, auto_delete: e.auto_delete });

let queuesBefore: ReturnType<typeof shape>[];
let exchangesBefore: ReturnType<typeof exchangeShape>[];
let queueWithout: QueueFacts;
let queuesAttached: QueueFacts[];
let exchangesAttached: ExchangeFacts[];
let queueWith: QueueFacts;
let captured: EnvelopeRecord[];
let tracedByAgent: boolean;
let exitCode: number | null;
let queuesAfter: ReturnType<typeof shape>[];
let exchangesAfter: ReturnType<typeof exchangeShape>[];
let queueAfterExit: QueueFacts;

beforeAll(async () => {
  vhost = await createTestVhost('agent-passive');
  // A real oslo server declares the topic queues, then goes away: casts to the topic
  // stay in the queue, unconsumed (oslo's queues are neither durable nor auto-delete).
  const servers = await startOsloServers({ transportUrl: vhost.url, topic: TOPIC, servers: ['node-a'] });
  await servers.stop();
  await waitUntil('the oslo server to be gone', async () => (await vhostQueue(vhost.name, TOPIC)).consumers === 0, 30_000, 500);

  // Without the agent.
  await castBatch('without-agent', 2);
  queueWithout = await topicQueueHolds(2);
  queuesBefore = (await vhostQueues(vhost.name)).map(shape);
  exchangesBefore = (await vhostExchanges(vhost.name)).map(exchangeShape);
  expect(await isTracing(vhost.name)).toBe(false);

  // With the agent attached.
  agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback'] });
  const api = new AgentApi(agent.baseUrl);
  const health = await waitUntil('the agent to capture with tracing on', async () => {
    const h = await api.health();
    const src = h.sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing) ? h : null;
  });
  tracedByAgent = health.sources[0]?.tracingEnabledByAgent ?? false;
  queuesAttached = await vhostQueues(vhost.name);
  exchangesAttached = await vhostExchanges(vhost.name);
  await castBatch('with-agent', 2);
  captured = await waitUntil('both casts in the API', async () => {
    const casts = await api.allEnvelopes('kind=cast');
    return casts.length === 2 ? casts : null;
  });
  queueWith = await topicQueueHolds(4);

  exitCode = await agent.stop();
  agent = null;
  queuesAfter = (await vhostQueues(vhost.name)).map(shape);
  exchangesAfter = (await vhostExchanges(vhost.name)).map(exchangeShape);
  queueAfterExit = await topicQueueHolds(4);
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await vhost?.cleanup();
});

describe('the agent is passive', () => {
  it('captured the casts sent while it was attached (so it really was)', () => {
    expect(captured.map((r) => (r.args?.['event'] as { batch?: string }).batch)).toEqual(['with-agent', 'with-agent']);
    expect(captured.every((r) => r.routingKey === TOPIC && r.deliveries.length === 0)).toBe(true);
  });

  it('leaves the application queue with every message, unconsumed, as without the agent', () => {
    expect(queueWithout).toMatchObject({ messages: 2, messages_unacknowledged: 0, consumers: 0 });
    // Two more casts while attached: all four still there, none taken or held unacked.
    expect(queueWith).toMatchObject({ messages: 4, messages_ready: 4, messages_unacknowledged: 0, consumers: 0 });
    expect(queueAfterExit).toMatchObject({ messages: 4, messages_ready: 4, messages_unacknowledged: 0, consumers: 0 });
  });

  it('declares only exclusive, non-durable, auto-delete queues and no exchanges', () => {
    const before = new Set(queuesBefore.map((q) => q.name));
    const ours = queuesAttached.filter((q) => !before.has(q.name));
    expect(ours.length).toBeGreaterThanOrEqual(1);
    for (const q of ours) expect(shape(q)).toEqual({ name: q.name, durable: false, auto_delete: true, exclusive: true });
    // Application queues are untouched (same flags as before).
    expect(queuesAttached.filter((q) => before.has(q.name)).map(shape)).toEqual(queuesBefore);
    expect(exchangesAttached.map(exchangeShape)).toEqual(exchangesBefore);
  });

  it('leaves nothing behind when it exits, and switches tracing off again', async () => {
    expect(exitCode).toBe(0);
    expect(queuesAfter).toEqual(queuesBefore);
    expect(exchangesAfter).toEqual(exchangesBefore);
    expect(tracedByAgent).toBe(true);
    expect(await isTracing(vhost.name)).toBe(false);
  });
});
