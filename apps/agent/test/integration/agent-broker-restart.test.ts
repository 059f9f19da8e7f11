/**
 * Broker restart during capture, seen from the agent's HTTP API: `rabbitmqctl stop_app` /
 * `start_app` drops every connection and switches tracing off. The running agent must
 * reconnect, switch tracing on again, show the outage as a gap, and capture oslo traffic
 * published after the restart. (amqp-restart.test.ts checks the same at the source level.)
 *
 * This stops the whole local broker for a few seconds; start_app always runs (finally).
 */
import type { EnvelopeRecord, HealthReport } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost, isTracing, runOsloClient, startAgent, type RunningAgent, type TestVhost } from '../support/index.js';
import { AgentApi, rabbitmqctl, waitForBroker, waitUntil } from './agent-helpers.js';

const TOPIC = 'restart-it';

let vhost: TestVhost;
let agent: RunningAgent | null = null;
let api: AgentApi;

/** One real oslo cast to the topic (nobody consumes it: the firehose still sees the publish). */
async function castPhase(phase: string): Promise<EnvelopeRecord> {
  const cast = await runOsloClient({ transportUrl: vhost.url, topic: TOPIC, action: 'cast', method: 'record_event', args: { event: { phase } } });
  expect(cast.code, cast.stderr.slice(-2000)).toBe(0);
  return waitUntil(`the "${phase}" cast in the API`, async () =>
    (await api.allEnvelopes('kind=cast')).find((r) => (r.args?.['event'] as { phase?: string } | undefined)?.phase === phase),
  );
}

beforeAll(async () => {
  vhost = await createTestVhost('agent-restart');
  agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback'] });
  api = new AgentApi(agent.baseUrl);
  await waitUntil('the agent to capture with tracing on', async () => {
    const src = (await api.health()).sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
  });
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await vhost?.cleanup();
});

describe('broker restart while the agent captures', () => {
  let before: EnvelopeRecord;
  let stoppedAt: number;
  let down: HealthReport;
  let back: HealthReport;

  beforeAll(async () => {
    before = await castPhase('before');
    expect(await api.gaps()).toEqual([]);
    stoppedAt = Date.now();
    try {
      await rabbitmqctl('stop_app');
      down = await waitUntil('health to show the broker connection lost', async () => {
        const h = await api.health();
        return h.sources[0]?.state === 'reconnecting' ? h : null;
      });
    } finally {
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup').catch(() => undefined);
      await waitForBroker();
    }
    back = await waitUntil(
      'health to show capture resumed with tracing on',
      async () => {
        const h = await api.health();
        const src = h.sources[0];
        return src?.state === 'connected' && src.reconnects >= 1 && src.tracing.length > 0 && src.tracing.every((t) => t.tracing) ? h : null;
      },
      90_000,
      250,
    );
  }, 240_000);

  it('shows the outage in health while the broker is down', () => {
    expect(down.status).toBe('down');
    expect(down.sources[0]?.lastError).toBeTruthy();
    expect(down.sources[0]?.connectedSince).toBeNull();
  });

  it('reconnects and switches tracing on again', async () => {
    expect(back.sources[0]?.reconnects).toBe(1);
    expect(back.sources[0]?.tracingEnabledByAgent).toBe(true);
    expect(await isTracing(vhost.name)).toBe(true);
  });

  it('marks the outage as a gap', async () => {
    const gaps = await api.gaps();
    const outage = gaps.find((g) => g.source === back.sources[0]?.name);
    expect(outage, JSON.stringify(gaps)).toBeDefined();
    expect(outage!.from).toBeGreaterThanOrEqual(stoppedAt - 1000);
    expect(outage!.to).not.toBeNull();
    expect(outage!.to!).toBeGreaterThan(outage!.from);
    expect(outage!.reason).not.toBe('');
  });

  it('captures oslo traffic published after the restart, and keeps what came before', async () => {
    const after = await castPhase('after');
    expect(after.id).toBeGreaterThan(before.id);
    const outage = (await api.gaps()).find((g) => g.source === back.sources[0]?.name);
    expect(after.capturedAt).toBeGreaterThanOrEqual(outage?.to ?? Infinity);
    expect(after.target).toMatchObject({ exchange: 'openstack', topic: TOPIC, fanout: false });
    expect((await api.envelope(before.id)).args).toEqual(before.args);
  });

  it('reports healthy again once capture has resumed', async () => {
    const h = await api.health();
    expect(h.sources[0]?.state).toBe('connected');
    expect({ status: h.status, warnings: h.sources[0]?.warnings }).toEqual({ status: 'ok', warnings: [] });
  });
});
