import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTraceEvent, type DecodedEnvelope, type EnvelopeRecord } from '@osloscope/shared';
import type { CaptureCore } from '../capture/capture-core.js';
import { openTestCore } from '../../test/support/capture-fixtures.js';
import { createConnectionDirectory } from '../domain/in-memory-connection-directory.js';
import { silentLogger } from '../../test/support/loggers.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createVerifier } from '../signing/index.js';
import { createDemoSource, demoKeyRing } from './demo-source.js';
import { SCENARIOS } from './scenarios.js';
import type { TimedEvent } from './sim-broker.js';
import { DemoSimulation } from './simulation.js';

const START = 1_795_000_000_000;

/** Run `scenarios` scenarios back to back from `startAt` at the demo source's default 30 publishes a second, instantly; all their events in time order. */
function generateDemoEvents(options: { seed: number; scenarios: number; startAt: number }): TimedEvent[] {
  const sim = new DemoSimulation(options);
  const all: TimedEvent[] = [];
  let at = options.startAt;
  for (let i = 0; i < options.scenarios; i++) {
    const { events } = sim.nextScenario(at);
    all.push(...events);
    at += sim.gapAfter(events, 30);
  }
  return all.sort((a, b) => a.at - b.at);
}

const events = generateDemoEvents({ seed: 7, scenarios: SCENARIOS.length * 3, startAt: START });
const decoded = events.map((e) => decodeTraceEvent({ routingKey: e.raw.routingKey, headers: e.raw.headers, body: e.raw.body }));

/** A signed body whose metadata says it is encrypted: only the agent's verifier can read it. */
const isEncrypted = (d: DecodedEnvelope): boolean => d.secure?.metadata?.includes('"encryption": true') === true;

const count = <T>(items: readonly T[], key: (x: T) => string | null | undefined): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== null && k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

describe('demo trace events (shared decoder)', () => {
  it('look like firehose events from rabbit@demo and all decode', () => {
    expect(events.every((e) => e.raw.origin === 'demo' && e.raw.source === 'demo')).toBe(true);
    expect(events.every((e) => e.raw.headers['node'] === 'rabbit@demo' && e.raw.headers['vhost'] === '/')).toBe(true);
    // Encrypted bodies need the keys: the bare decoder says so; everything else decodes.
    expect(decoded.filter((d) => d.decodeError !== null && !isEncrypted(d))).toEqual([]);
    expect(decoded.filter(isEncrypted).length).toBeGreaterThan(0);
    for (const d of decoded.filter(isEncrypted)) expect(d.decodeError?.message).toMatch(/encrypted\? verify and decrypt/);
    expect(new Set(decoded.map((d) => d.broker?.event))).toEqual(new Set(['publish', 'deliver']));
  });

  it('cover every message kind: call, cast, direct-to-server, fanout, reply, heartbeat, notification', () => {
    const publishes = decoded.filter((d) => d.broker?.event === 'publish' && !isEncrypted(d));
    expect(Object.keys(count(publishes, (d) => d.kind)).sort()).toEqual(['call', 'cast', 'notification', 'reply']);
    expect(publishes.some((d) => d.kind === 'call' && d.target?.server)).toBe(true);
    expect(publishes.some((d) => d.kind === 'cast' && d.target?.fanout && d.exchange === 'scheduler_fanout')).toBe(true);
    expect(publishes.some((d) => d.kind === 'cast' && d.target?.fanout && d.exchange === 'compute_fanout')).toBe(true);
    expect(publishes.some((d) => d.kind === 'call' && d.target?.namespace === 'baseapi' && d.method === 'ping')).toBe(true);
    expect(publishes.some((d) => d.reply?.ending === false)).toBe(true);
    const eventTypes = new Set(publishes.map((d) => d.notification?.eventType));
    for (const t of ['compute.instance.create.start', 'compute.instance.create.end', 'compute.metrics.update']) expect(eventTypes).toContain(t);
    // Calls that nobody can take are unroutable.
    expect(publishes.some((d) => d.target?.server === 'compute-99' && d.broker?.routedQueues?.length === 0)).toBe(true);
  });

  it('carry remote failures with tracebacks: rolling upgrade, missing method, nova exceptions', () => {
    const failures = decoded.flatMap((d) => (d.broker?.event === 'publish' && d.reply?.failure ? [d.reply.failure] : []));
    expect(Object.keys(count(failures, (f) => `${f.module}.${f.class}`)).sort()).toEqual([
      'nova.exception.InstanceNotFound',
      'nova.exception.NoValidHost',
      'oslo_messaging.rpc.dispatcher.NoSuchMethod',
      'oslo_messaging.rpc.dispatcher.UnsupportedVersion',
    ]);
    const unsupported = failures.find((f) => f.class === 'UnsupportedVersion');
    expect(unsupported?.message).toBe('Endpoint does not support RPC version 6.0. Attempted method: get_console_output');
    expect(failures.every((f) => f.traceback[0] === 'Traceback (most recent call last):\n')).toBe(true);
  });

  it('are deterministic for a seed', () => {
    const again = generateDemoEvents({ seed: 7, scenarios: SCENARIOS.length * 3, startAt: START });
    expect(again.map((e) => Buffer.from(e.raw.body).toString('base64'))).toEqual(events.map((e) => Buffer.from(e.raw.body).toString('base64')));
    const other = generateDemoEvents({ seed: 8, scenarios: 5, startAt: START });
    expect(Buffer.from(other[0]?.raw.body ?? []).toString()).not.toBe(Buffer.from(events[0]?.raw.body ?? []).toString());
  });
});

describe('demo through the capture core', () => {
  let core: CaptureCore;
  let records: EnvelopeRecord[];

  beforeAll(async () => {
    const directory = createConnectionDirectory();
    core = openTestCore({ verifier: createVerifier(demoKeyRing()), directory, now: () => START + 3_600_000 });
    // The demo source tells the directory who is who; its own timer is not used here.
    const source = createDemoSource({ capture: core, directory, logger: silentLogger, seed: 7 });
    await source.start();
    await source.stop();
    for (const e of events) core.ingest(e.raw);
    core.flush();
    records = core.query({}, { limit: 1000 }).items;
  });
  afterAll(() => core.close());

  it('gives calls every outcome', () => {
    expect(count(records, (r) => r.outcome?.status)).toEqual({
      ok: expect.any(Number),
      error: expect.any(Number),
      timeout: expect.any(Number),
    });
    expect(records.some((r) => (r.outcome?.heartbeats ?? 0) >= 2 && r.outcome?.status === 'ok')).toBe(true);
  });

  it('shows every signature verdict', () => {
    const verdicts = count(records, (r) => `${r.signature.status}/${r.signature.reason ?? ''}`);
    expect(Object.keys(verdicts).sort()).toEqual([
      'failed/DestinationMismatch',
      'failed/InvalidEncryptedMessage',
      'failed/InvalidExpiredTicket',
      'failed/InvalidMetadata',
      'failed/InvalidSignature',
      'failed/MissingSignature',
      'failed/ReplayedNonce',
      'unsigned/',
      'unverified/SharedKeyNotFound',
      'valid/',
    ]);
    expect(core.counts().signatureFailures).toBeGreaterThanOrEqual(7);
    // Encrypted calls are decrypted: the user sees the method and args, and the reply correlates.
    const encrypted = records.filter((r) => r.method === 'object_class_action_versions');
    expect(encrypted.length).toBeGreaterThanOrEqual(3);
    for (const r of encrypted) {
      expect(r).toMatchObject({ kind: 'call', envelopeVersion: '2.1', signature: { status: 'valid', reason: null }, args: { objname: 'Instance' } });
      expect(r.outcome?.status).toBe('ok');
    }
  });

  it('resolves servers and client processes from the simulated management facts', () => {
    const servers = new Set(records.flatMap((r) => r.deliveries.map((d) => d.server)));
    for (const s of ['conductor-1', 'conductor-2', 'scheduler-1', 'scheduler-2', 'compute-1', 'compute-4']) expect(servers).toContain(s);
    expect(records.some((r) => r.client?.process?.startsWith('nova-api:'))).toBe(true);
    const fanout = records.find((r) => r.exchange === 'compute_fanout');
    expect(fanout?.reached?.slice().sort()).toEqual(['compute-1', 'compute-2', 'compute-3', 'compute-4']);
  });

  it('masks the auth tokens it sends', () => {
    const withToken = records.find((r) => r.kind === 'call' && r.context !== null);
    expect(withToken?.context?.['auth_token']).not.toMatch(/^gAAAAAB/);
    const detail = core.get(withToken?.id ?? 0);
    expect(Buffer.from(detail?.rawBase64 ?? '', 'base64').toString()).not.toMatch(/gAAAAAB[A-Za-z0-9_-]{20}/);
  });
});

describe('demo source', () => {
  it('plays traffic in real time through capture.ingest and reports demo health', async () => {
    const ingested: RawCapture[] = [];
    const learned: string[] = [];
    const source = createDemoSource({
      capture: { ingest: (raw: RawCapture) => void ingested.push(raw) } as never,
      directory: { updateFromManagement: (name: string) => void learned.push(name) } as never,
      logger: silentLogger,
      ratePerSecond: 200,
      reason: 'No broker reachable',
    });
    expect(source.health().state).toBe('stopped');
    await source.start();
    await new Promise((r) => setTimeout(r, 400));
    await source.stop();
    expect(ingested.length).toBeGreaterThan(5);
    expect(learned).toEqual(['demo']);
    expect(source.health()).toMatchObject({ name: 'demo', mode: 'demo', url: 'demo://', state: 'stopped', warnings: ['No broker reachable'] });
  });
});
