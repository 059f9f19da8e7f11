/**
 * The built-in demo, started explicitly (`--demo`) or as the fallback when no broker is
 * reachable: health says so, and within seconds the API shows a lively OpenStack with
 * every kind of message, a rolling-upgrade failure and a failed signature.
 */
import type { EnvelopeRecord, HealthReport } from '@osloscope/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../support/index.js';
import { AgentApi, waitUntil } from './agent-helpers.js';

const running: RunningAgent[] = [];

afterAll(async () => {
  for (const agent of running.splice(0)) await agent.stop();
});

interface DemoView {
  health: HealthReport;
  records: EnvelopeRecord[];
}

/** Starts an agent and waits (a few seconds at most) until the demo shows everything a user should see. */
async function demoAgent(args: string[]): Promise<DemoView> {
  const agent = await startAgent({ args });
  running.push(agent);
  const api = new AgentApi(agent.baseUrl);
  const records = await waitUntil(
    'the demo traffic in the API',
    async () => {
      const all = await api.allEnvelopes();
      const kinds = new Set(all.map((r) => r.kind));
      const complete =
        ['call', 'cast', 'reply', 'notification'].every((k) => kinds.has(k as EnvelopeRecord['kind'])) &&
        all.some((r) => r.outcome?.failure?.class === 'UnsupportedVersion') &&
        all.some((r) => r.signature.status === 'failed');
      return complete ? all : null;
    },
    15_000,
    250,
  );
  return { health: await api.health(), records };
}

function expectLivelyDemo({ health, records }: DemoView): void {
  expect(health.demo).toBe(true);
  expect(health.sources).toHaveLength(1);
  expect(health.sources[0]).toMatchObject({ mode: 'demo', state: 'demo' });
  expect(health.replayEnabled).toBe(false);

  const calls = records.filter((r) => r.kind === 'call');
  expect(calls.some((c) => c.outcome?.status === 'ok' && (c.outcome.latencyMs ?? 0) > 0)).toBe(true);
  const replies = records.filter((r) => r.kind === 'reply');
  expect(replies.some((r) => r.requestId !== null && calls.some((c) => c.id === r.requestId))).toBe(true);
  expect(records.some((r) => r.kind === 'notification' && r.notification?.eventType)).toBe(true);

  const rejected = calls.find((c) => c.outcome?.failure?.class === 'UnsupportedVersion');
  expect(rejected?.outcome?.status).toBe('error');
  const failed = records.filter((r) => r.signature.status === 'failed');
  expect(failed.every((r) => r.signature.reason !== null)).toBe(true);
  expect(health.counts.signatureFailures).toBeGreaterThanOrEqual(1);
  expect(health.counts.captured).toBeGreaterThanOrEqual(records.length);
}

describe('demo mode', () => {
  it('--demo shows simulated traffic of every kind within seconds', async () => {
    const view = await demoAgent(['--demo']);
    expectLivelyDemo(view);
    expect(view.health.status).toBe('ok');
  });

  it('falls back to the demo when no broker is reachable, and says why', async () => {
    const view = await demoAgent(['--transport-url', 'rabbit://guest:guest@127.0.0.1:1/']);
    expectLivelyDemo(view);
    const warnings = view.health.sources[0]?.warnings ?? [];
    expect(warnings.join('\n')).toMatch(/no broker reachable/i);
    expect(warnings.join('\n')).toContain('127.0.0.1:1');
    // The password of the unreachable URL is never echoed back.
    expect(JSON.stringify(view.health)).not.toContain('guest:guest');
  });
});
