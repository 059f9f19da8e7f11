/**
 * Proves the test support end to end: a fresh vhost with tracing on, real oslo.messaging
 * servers and client (Debian's python3-oslo.messaging), and the firehose events they
 * produce, checked against the wire facts in docs/oslo-wire-format.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestVhost,
  getQueues,
  isTracing,
  osloInner,
  runOsloClient,
  runOsloScenario,
  setTracing,
  startOsloServers,
  startTraceCapture,
  traceHeaders,
  type ScenarioEvent,
  type TestVhost,
  type TraceCapture,
  type TraceLine,
} from '../support/index.js';

const routingKeys = (ev: TraceLine) => (traceHeaders(ev)['routing_keys'] as string[] | undefined) ?? [];
const routedQueues = (ev: TraceLine) => (traceHeaders(ev)['routed_queues'] as string[] | undefined) ?? [];
const isPublish = (exchange: string) => (ev: TraceLine) => ev.routingKey === `publish.${exchange}`;

describe('oslo scenario against a real broker', () => {
  let vhost: TestVhost;
  let capture: TraceCapture;
  let steps: ScenarioEvent[];
  let code: number | null;
  let stderr: string;

  beforeAll(async () => {
    vhost = await createTestVhost('scenario');
    await setTracing(vhost.name, true);
    capture = await startTraceCapture(vhost.amqpUrl);
    const run = await runOsloScenario({ transportUrl: vhost.url, scenario: 'scenario', timeoutMs: 180_000 });
    steps = run.events.filter((e) => e.step !== undefined);
    code = run.code;
    stderr = run.stderr;
    // The legacy notification (S15) is the last thing delivered.
    await capture
      .waitFor((ev) => ev.routingKey === 'deliver.notifications.info', 2)
      .catch((err: Error) => {
        throw new Error(`${err.message}; scenario exit code ${code}, stderr:\n${stderr.slice(-1500)}`);
      });
    // The scenario takes ~20 s on an idle machine, much longer on a loaded 2-core one.
  }, 240_000);

  afterAll(async () => {
    await capture?.stop();
    await vhost?.cleanup();
  });

  it('runs every step as the fixture did, as seen by the client', () => {
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(steps.filter((s) => s.unexpected)).toEqual([]);
    const byStep = (id: string) => steps.filter((s) => s.step === id);
    // Round robin: the two echo calls to the topic went to different servers.
    const servedBy = [...byStep('S01'), ...byStep('S02')].map((s) => (s.result as { served_by: string }).served_by);
    expect(new Set(servedBy)).toEqual(new Set(['node-a', 'node-b']));
    expect(byStep('S04')[0]?.result).toEqual({ echo: 'direct', served_by: 'node-b' });
    expect(byStep('S06')[0]?.error).toMatchObject({ type: 'ValueError', message: 'amount must be positive, got -5' });
    expect(byStep('S07')[0]?.error).toMatchObject({ type: 'RemoteError', exc_type: 'UnsupportedVersion' });
    expect(byStep('S08')[0]?.error).toMatchObject({ type: 'RemoteError', exc_type: 'NoSuchMethod' });
    expect(byStep('S09')[0]?.result).toMatchObject({ detail: true, instances: 3 });
    expect(byStep('S10')[0]?.result).toBe('slept 2.5');
    expect(byStep('S11')[0]?.error?.type).toBe('RPCVersionCapError');
    expect(byStep('S14')[0]?.error?.type).toBe('MessagingTimeout');
  });

  it('publishes requests to the topic exchange, with the auth token in the context', () => {
    const toTopic = capture.events.filter((ev) => isPublish('openstack')(ev) && routingKeys(ev)[0] === 'demo');
    const methods = toTopic.map((ev) => osloInner(ev)?.['method']);
    // S01, S02, S03 (cast), S06..S10, S12; S11 never left the client.
    expect(methods).toEqual(['echo', 'echo', 'record_event', 'fail_value_error', 'echo', 'reboot_instance', 'get_stats', 'slow', 'echo']);
    const cast = osloInner(toTopic[2]!);
    expect(cast).not.toHaveProperty('_msg_id');
    expect(cast?.['_context_auth_token']).toBe('gAAAAABsecret-token-value');
    expect(osloInner(toTopic[0]!)?.['_context_auth_token']).toBe('gAAAAABsecret-token-value');

    const direct = capture.events.filter((ev) => isPublish('openstack')(ev) && routingKeys(ev)[0] === 'demo.node-b');
    expect(direct).toHaveLength(1);
    const lost = capture.events.filter((ev) => isPublish('openstack')(ev) && routingKeys(ev)[0] === 'demo.node-z');
    expect(lost).toHaveLength(1);
    expect(routedQueues(lost[0]!)).toEqual([]);
  });

  it('fans the fanout cast out to both servers', () => {
    const fanout = capture.events.filter(isPublish('demo_fanout'));
    expect(fanout).toHaveLength(1);
    expect(routedQueues(fanout[0]!)).toHaveLength(2);
    const delivered = capture.events.filter((ev) => ev.routingKey.startsWith('deliver.demo_fanout_'));
    expect(delivered.map((ev) => ev.routingKey).sort()).toEqual(
      routedQueues(fanout[0]!)
        .map((q) => `deliver.${q}`)
        .sort(),
    );
  });

  it('sends replies on the default exchange to the caller reply queue, heartbeats included', () => {
    const requests = capture.events
      .filter(isPublish('openstack'))
      .map(osloInner)
      .filter((m) => typeof m?.['_msg_id'] === 'string');
    const replies = capture.events.filter((ev) => ev.routingKey === 'publish.');
    const replyBodies = replies.map(osloInner);
    // Every reply answers a request and goes to that request's _reply_q.
    for (const [i, reply] of replies.entries()) {
      const request = requests.find((r) => r?.['_msg_id'] === replyBodies[i]?.['_msg_id']);
      expect(request).toBeDefined();
      expect(routingKeys(reply)).toEqual([request?.['_reply_q']]);
    }
    // All calls but the one to node-z got a final reply; the slow one had heartbeats.
    const final = replyBodies.filter((b) => b?.['ending'] === true);
    expect(final).toHaveLength(requests.length - 1);
    const heartbeats = replyBodies.filter((b) => b?.['ending'] === false);
    expect(heartbeats.length).toBeGreaterThanOrEqual(1);
    const failures = final.map((b) => b?.['failure']).filter((f): f is string => typeof f === 'string');
    expect(failures.map((f) => (JSON.parse(f) as { class: string }).class).sort()).toEqual(['NoSuchMethod', 'UnsupportedVersion', 'ValueError']);
  });

  it('publishes info and error notifications, the last one in the legacy format', () => {
    const notes = capture.events.filter((ev) => isPublish('openstack')(ev) && routingKeys(ev)[0]?.startsWith('notifications.'));
    expect(notes.map((ev) => routingKeys(ev)[0])).toEqual(['notifications.info', 'notifications.error', 'notifications.info']);
    const legacy = JSON.parse(Buffer.from(notes[2]!.bodyBase64, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(legacy).not.toHaveProperty('oslo.version');
    expect(legacy['event_type']).toBe('compute.instance.delete.end');
  });
});

describe('long-running oslo servers and one-off calls', () => {
  let vhost: TestVhost;

  beforeAll(async () => {
    vhost = await createTestVhost('servers');
  });
  afterAll(async () => {
    await vhost?.cleanup();
  });

  it('records each executed call, on a custom topic and control exchange', async () => {
    await setTracing(vhost.name, true);
    expect(await isTracing(vhost.name)).toBe(true);
    const capture = await startTraceCapture(vhost.amqpUrl);
    const servers = await startOsloServers({ transportUrl: vhost.url, topic: 'compute', exchange: 'nova', servers: ['host-1'] });
    try {
      const call = await runOsloClient({
        transportUrl: vhost.url,
        topic: 'compute',
        exchange: 'nova',
        method: 'echo',
        args: { value: 'hi' },
        version: '1.0',
      });
      expect(call.code).toBe(0);
      expect(call.event?.result).toEqual({ echo: 'hi', served_by: 'host-1' });

      const cast = await runOsloClient({
        transportUrl: vhost.url,
        topic: 'compute',
        exchange: 'nova',
        method: 'record_event',
        action: 'cast',
        args: { event: { kind: 'replayed' } },
        requestId: 'req-cast-1',
      });
      expect(cast.code).toBe(0);
      const executed = await servers.waitForExecuted((c) => c.method === 'record_event');
      expect(executed[0]).toMatchObject({ server: 'host-1', args: { event: { kind: 'replayed' } }, context: { request_id: 'req-cast-1' } });

      const published = await capture.waitFor(isPublish('nova'), 2);
      expect(published.map((ev) => routingKeys(ev)[0])).toEqual(['compute', 'compute']);
      expect((await getQueues(vhost.name)).map((q) => q.name)).toEqual(expect.arrayContaining(['compute', 'compute.host-1']));
    } finally {
      await servers.stop();
      await capture.stop();
    }
  }, 180_000);
});
