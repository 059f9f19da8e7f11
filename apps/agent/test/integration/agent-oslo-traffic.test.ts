/**
 * The real built agent capturing real oslo.messaging traffic (Debian's python3-oslo.messaging,
 * the fixture scenario: two RPC servers node-a and node-b, a client running S01..S15) in
 * a vhost of its own, checked only through the HTTP API, against what the scenario's own
 * client and servers reported.
 */
import type { EnvelopeRecord, FlowAggregate, VersionReport } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost, runOsloScenario, startAgent, type RunningAgent, type ScenarioEvent, type ScriptResult, type TestVhost } from '../support/index.js';
import { AgentApi, everythingIn, SCENARIO_AUTH_TOKEN, splitExport, waitUntil } from './agent-helpers.js';

// Not oslo's defaults, so the test sees the agent report what was really sent.
const CONTROL_EXCHANGE = 'osloscope-it';
const TOPIC = 'compute-it';
const NOTIFICATION_TOPIC = 'notifications';

let vhost: TestVhost;
let agent: RunningAgent | null = null;
let api: AgentApi;
let scenario: ScriptResult;
/** Scenario step lines (what the client saw), in order. */
let steps: ScenarioEvent[];
/** Every record the agent stored, oldest first. */
let records: EnvelopeRecord[];
/** Call records paired with the step that published them (S11 never leaves the client). */
let callOf: Map<ScenarioEvent, EnvelopeRecord>;

const step = (id: string, index = 0): ScenarioEvent => {
  const found = steps.filter((s) => s.step === id)[index];
  if (!found) throw new Error(`scenario printed no step ${id} #${index}`);
  return found;
};
const callFor = (s: ScenarioEvent): EnvelopeRecord => {
  const r = callOf.get(s);
  if (!r) throw new Error(`no call record for step ${s.step}`);
  return r;
};
const servedBy = (s: ScenarioEvent): string | undefined => {
  const result = s.result as { served_by?: string; host?: string } | null;
  return result?.served_by ?? result?.host;
};

beforeAll(async () => {
  vhost = await createTestVhost('agent-traffic');
  agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback'] });
  api = new AgentApi(agent.baseUrl);
  await waitUntil('the agent to capture with tracing on', async () => {
    const src = (await api.health()).sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
  });

  scenario = await runOsloScenario({
    transportUrl: vhost.url,
    scenario: 'scenario',
    args: { exchange: CONTROL_EXCHANGE, topic: TOPIC, notifications: NOTIFICATION_TOPIC },
  });
  steps = scenario.events.filter((e) => e.step !== undefined);

  // Everything the scenario published is in (the legacy notification is last), and
  // the call to node-z has been given up on (its expiration is 2 s).
  records = await waitUntil('the whole scenario in the API', async () => {
    const all = await api.allEnvelopes();
    const notifications = all.filter((r) => r.kind === 'notification').length;
    const pending = all.filter((r) => r.outcome?.status === 'pending').length;
    return notifications === 3 && pending === 0 ? all : null;
  });

  // The scenario is sequential: the n-th published call is the n-th call step.
  const calls = records.filter((r) => r.kind === 'call');
  const published = steps.filter((s) => s.action === 'call' && s.error?.type !== 'RPCVersionCapError');
  callOf = new Map(published.map((s, i) => [s, calls[i]!]));
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await vhost?.cleanup();
});

describe('the agent capturing the real oslo scenario', () => {
  it('ran the scenario as expected (the ground truth for the rest)', () => {
    expect(scenario.code, scenario.stderr.slice(-2000)).toBe(0);
    expect(steps.filter((s) => s.unexpected)).toEqual([]);
  });

  it('lists every published message by kind', () => {
    const count = (kind: string) => records.filter((r) => r.kind === kind).length;
    const published = [...callOf.keys()];
    expect(count('call')).toBe(published.length);
    for (const [s, r] of callOf) {
      expect({ step: s.step, method: r.method, version: r.target?.version }).toEqual({
        step: s.step,
        method: s.method,
        version: s.version,
      });
    }
    // S03 (topic cast) and S05 (fanout cast).
    expect(records.filter((r) => r.kind === 'cast').map((r) => r.method)).toEqual(['record_event', 'refresh_cache']);
    const notes = records.filter((r) => r.kind === 'notification');
    expect(notes.map((n) => [n.notification?.eventType, n.notification?.priority])).toEqual([
      ['compute.instance.create.end', 'INFO'],
      ['compute.instance.create.error', 'ERROR'],
      ['compute.instance.delete.end', 'INFO'],
    ]);
    for (const n of notes) expect(n.target).toMatchObject({ exchange: CONTROL_EXCHANGE, topic: NOTIFICATION_TOPIC });
    // One final reply per answered call (all but the one to node-z), plus heartbeats.
    const replies = records.filter((r) => r.kind === 'reply');
    expect(replies.filter((r) => r.reply?.ending === true)).toHaveLength(published.length - 1);
    expect(records.filter((r) => r.kind === 'unknown' || r.decodeError !== null)).toEqual([]);
  });

  it('shows the target tuple each call and cast was sent with', () => {
    for (const [s, r] of callOf) {
      expect(r.exchange, s.step).toBe(CONTROL_EXCHANGE);
      expect(r.target, s.step).toEqual({
        exchange: CONTROL_EXCHANGE,
        topic: TOPIC,
        namespace: (s['namespace'] as string | undefined) ?? null,
        version: s.version,
        server: (s.server as string | null | undefined) ?? null,
        fanout: false,
      });
    }
    expect(callFor(step('S09')).target?.namespace).toBe('admin');
    expect(callFor(step('S04')).routingKey).toBe(`${TOPIC}.node-b`);
    const cast = records.find((r) => r.kind === 'cast' && r.method === 'record_event');
    expect(cast?.target).toEqual({ exchange: CONTROL_EXCHANGE, topic: TOPIC, namespace: null, version: '1.0', server: null, fanout: false });
    expect(cast?.outcome).toBeNull();
  });

  it('gives each call the outcome its client saw', () => {
    for (const [s, r] of callOf) {
      const seen = s.error?.exc_type ?? s.error?.type ?? null;
      if (seen === null) {
        expect(r.outcome, s.step).toMatchObject({ status: 'ok', failure: null });
      } else if (seen === 'MessagingTimeout') {
        expect(r.outcome, s.step).toMatchObject({ status: 'timeout', latencyMs: null, replyId: null });
      } else {
        expect(r.outcome?.status, s.step).toBe('error');
        expect(r.outcome?.failure?.class, s.step).toBe(seen);
        expect(r.outcome?.failure?.message, s.step).toBe(s.error?.message);
      }
    }
    expect(callFor(step('S06')).outcome?.failure).toMatchObject({ class: 'ValueError', message: 'amount must be positive, got -5' });
    expect(callFor(step('S07')).outcome?.failure?.class).toBe('UnsupportedVersion');
    expect(callFor(step('S08')).outcome?.failure?.class).toBe('NoSuchMethod');
    expect(callFor(step('S14')).target?.server).toBe('node-z');
    expect(callFor(step('S14')).outcome?.status).toBe('timeout');
  });

  it('measures latency on answered calls and links each to its reply', async () => {
    for (const [s, r] of callOf) {
      if (r.outcome?.status === 'timeout') continue;
      expect(r.outcome?.latencyMs, s.step).toBeGreaterThan(0);
      const replyId = r.outcome?.replyId;
      expect(replyId, s.step).toEqual(expect.any(Number));
      const reply = await api.envelope(replyId!);
      expect(reply).toMatchObject({ kind: 'reply', requestId: r.id, msgId: r.msgId });
      expect(reply.reply?.ending).toBe(true);
    }
    // slow(2.5) cannot have been answered sooner than it slept.
    expect(callFor(step('S10')).outcome?.latencyMs).toBeGreaterThanOrEqual(2500);
  });

  it('counts the call-monitor heartbeats of the slow call', () => {
    const slow = callFor(step('S10'));
    const heartbeats = records.filter((r) => r.kind === 'reply' && r.requestId === slow.id && r.reply?.heartbeat);
    expect(heartbeats.length).toBeGreaterThanOrEqual(1);
    expect(slow.outcome?.heartbeats).toBe(heartbeats.length);
    expect(slow.callMonitorTimeout).toBe(2);
  });

  it('attributes every answered call to the server that really handled it', () => {
    const roundRobin = [step('S01'), step('S02')];
    expect(new Set(roundRobin.map(servedBy))).toEqual(new Set(['node-a', 'node-b']));
    // Every step whose result names its server: echo (served_by) and get_stats (host).
    const named = [...callOf.keys()].filter((s) => servedBy(s) !== undefined);
    expect(named.map((s) => s.step)).toEqual(expect.arrayContaining(['S01', 'S02', 'S04', 'S09', 'S12']));
    expect(named.map((s) => ({ step: s.step, server: callFor(s).server }))).toEqual(named.map((s) => ({ step: s.step, server: servedBy(s) })));
    const direct = callFor(step('S04'));
    expect(direct.server).toBe('node-b');
    expect(direct.target?.server).toBe('node-b');
  });

  it('shows which servers the fanout cast reached', () => {
    const fanout = records.find((r) => r.kind === 'cast' && r.method === 'refresh_cache');
    expect(fanout?.exchange).toBe(`${TOPIC}_fanout`);
    expect(fanout?.target).toMatchObject({ topic: TOPIC, fanout: true, version: '1.0' });
    expect([...(fanout?.reached ?? [])].sort()).toEqual(['node-a', 'node-b']);
    expect(fanout?.deliveries).toHaveLength(2);
  });

  it('flags the UnsupportedVersion in the version report', async () => {
    const reports = await api.json<VersionReport[]>('/api/versions');
    const main = reports.find((v) => v.exchange === CONTROL_EXCHANGE && v.topic === TOPIC && v.namespace === null);
    expect(main).toBeDefined();
    const v20 = main!.versions.find((v) => v.version === '2.0');
    expect(v20).toMatchObject({ sent: 1, ok: 0, unsupportedVersion: 1 });
    const rejected = callFor(step('S07'));
    expect(main!.failures).toContainEqual({ version: '2.0', method: 'echo', class: 'UnsupportedVersion', server: rejected.server, count: 1 });
    expect(main!.failures).toContainEqual(expect.objectContaining({ version: '1.0', method: 'reboot_instance', class: 'NoSuchMethod', count: 1 }));
    expect(main!.mixedVersions).toBe(true);
    expect(main!.warning).toMatch(/UnsupportedVersion/);
    expect(main!.warning).toMatch(/2\.0/);
    const admin = reports.find((v) => v.exchange === CONTROL_EXCHANGE && v.topic === TOPIC && v.namespace === 'admin');
    expect(admin?.versions).toEqual([expect.objectContaining({ version: '2.1', sent: 1, ok: 1, unsupportedVersion: 0 })]);
    expect(admin?.mixedVersions).toBe(false);
  });

  it('aggregates flows per target as the scenario sent them', async () => {
    const flows = await api.json<FlowAggregate[]>('/api/flows');
    // Expected per target, computed from what the client did and saw.
    type Want = { calls: number; casts: number; fanouts: number; errors: number; timeouts: number; errorsByClass: Record<string, number> };
    const want = new Map<string, Want>();
    const keyOf = (t: { namespace: string | null; version: string | null; server: string | null; fanout: boolean }) =>
      JSON.stringify([t.namespace, t.version, t.server, t.fanout]);
    for (const s of steps) {
      if (s.action === 'notify' || s.error?.type === 'RPCVersionCapError') continue;
      const fanout = s.action === 'fanout';
      const k = keyOf({
        namespace: (s['namespace'] as string | undefined) ?? null,
        version: s.version as string,
        server: (s.server as string | null | undefined) ?? null,
        fanout,
      });
      const w = want.get(k) ?? { calls: 0, casts: 0, fanouts: 0, errors: 0, timeouts: 0, errorsByClass: {} };
      if (s.action === 'call') w.calls++;
      else if (fanout) w.fanouts++;
      else w.casts++;
      const seen = s.error?.exc_type ?? s.error?.type;
      if (seen === 'MessagingTimeout') w.timeouts++;
      else if (seen) {
        w.errors++;
        w.errorsByClass[seen] = (w.errorsByClass[seen] ?? 0) + 1;
      }
      want.set(k, w);
    }
    const ours = flows.filter((f) => f.target.topic === TOPIC);
    expect(ours.map((f) => keyOf(f.target)).sort()).toEqual([...want.keys()].sort());
    for (const f of ours) {
      const w = want.get(keyOf(f.target))!;
      const label = f.key;
      expect(
        { calls: f.calls, casts: f.casts, fanouts: f.fanouts, errors: f.errors, timeouts: f.timeouts, errorsByClass: f.errorsByClass, pending: f.pending },
        label,
      ).toEqual({ calls: w.calls, casts: w.casts, fanouts: w.fanouts, errors: w.errors, timeouts: w.timeouts, errorsByClass: w.errorsByClass, pending: 0 });
      expect(f.target.exchange, label).toBe(f.target.fanout ? `${TOPIC}_fanout` : CONTROL_EXCHANGE);
      if (f.calls > f.timeouts) expect(f.latencyMs.p50, label).toBeGreaterThan(0);
      expect(f.clients.length, label).toBeGreaterThanOrEqual(1);
    }
  });

  it('lists in each flow the servers that handled it', async () => {
    const flows = (await api.json<FlowAggregate[]>('/api/flows')).filter((f) => f.target.topic === TOPIC && !f.target.fanout);
    for (const [s, r] of callOf) {
      const server = servedBy(s);
      if (server === undefined) continue;
      const flow = flows.find((f) => JSON.stringify(f.target) === JSON.stringify(r.target));
      expect(flow?.servers, s.step).toContain(server);
    }
    const roundRobin = flows.find((f) => f.target.version === '1.2');
    expect([...(roundRobin?.servers ?? [])].sort()).toEqual(['node-a', 'node-b']);
  });

  it('never shows the auth token, in any answer, raw bodies and the export included', async () => {
    // Visit everything a user can open.
    await api.health();
    await api.gaps();
    await api.json('/api/flows');
    await api.json('/api/versions');
    const all = await api.allEnvelopes();
    const details = [];
    for (const r of all) details.push(await api.envelope(r.id));
    const exported = splitExport(await api.exportText());
    expect(exported.records).toHaveLength(all.length);
    expect(exported.trailer).toEqual({ lines: all.length, missing: 0, reasons: [] });

    // Not vacuous: the token was in the calls' contexts and raw bodies, and got masked.
    const call = details.find((d) => d.kind === 'call')!;
    expect(call.context).toHaveProperty('auth_token');
    expect(call.maskedFields.some((f) => f.endsWith('_context_auth_token'))).toBe(true);

    expect(api.responses.length).toBeGreaterThan(all.length);
    const leaks = api.responses.filter((res) => everythingIn(res).some((text) => text.includes(SCENARIO_AUTH_TOKEN)));
    expect(leaks.map((res) => res.path)).toEqual([]);
    // The token's tail alone would still be a leak (partial masking).
    const partial = api.responses.filter((res) => everythingIn(res).some((text) => text.includes('secret-token-value')));
    expect(partial.map((res) => res.path)).toEqual([]);
  });
});
