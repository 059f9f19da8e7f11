import { describe, expect, it, vi } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import { createCaptureCore, type CaptureCoreOptions } from './capture-core.js';
import { CaptureStore } from '../store/capture-store.js';
import { fixtureRaws, seededDirectory, tempDataDir } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;
const at = (line: number) => T0 + line * 10;

function options(dataDir: string, over: Partial<CaptureCoreOptions> = {}): CaptureCoreOptions {
  return {
    dataDir,
    retention: { maxMessages: 100_000, maxBytes: 1e9 },
    showSecrets: false,
    directory: seededDirectory(),
    now: () => T0 + 1000,
    timers: false,
    ...over,
  };
}

/** What an operator compares: everything but the capture-local id and source name. */
function comparable(r: EnvelopeRecord, idToLine: Map<number, number>) {
  const { id, source, outcome, requestId, ...rest } = r;
  return {
    ...rest,
    line: idToLine.get(id),
    outcome: outcome && { ...outcome, replyId: outcome.replyId === null ? null : idToLine.get(outcome.replyId) },
    requestId: requestId === null ? null : idToLine.get(requestId),
  };
}

function byCaptureTime(records: EnvelopeRecord[]) {
  const idToLine = new Map(records.map((r) => [r.id, (r.capturedAt - T0) / 10]));
  return records.map((r) => comparable(r, idToLine)).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

describe('persistence', () => {
  it('keeps the capture across a restart, and times out calls that expired while it was down', () => {
    const dir = tempDataDir();
    const first = createCaptureCore(options(dir));
    for (const raw of fixtureRaws(T0)) first.ingest(raw);
    const before = first.query({}, { limit: 1000 }).items;
    first.markGap({ source: 'rabbit-test', from: T0 + 500, to: T0 + 700, reason: 'broker connection lost' });
    first.close();

    const second = createCaptureCore(options(dir, { now: () => T0 + 60_000 }));
    expect(second.counts()).toMatchObject({ captured: 26, stored: 26 });
    expect(second.gaps()).toEqual([{ source: 'rabbit-test', from: T0 + 500, to: T0 + 700, reason: 'broker connection lost' }]);
    const z = second.query({ server: 'node-z', kind: 'call' }, {}).items[0];
    expect(z?.outcome?.status).toBe('pending');
    second.flush();
    expect(second.get(z?.id ?? -1)?.outcome?.status).toBe('timeout');
    const after = second.query({}, { limit: 1000 }).items;
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    // New records continue the id sequence.
    second.ingest(fixtureRaws(T0)[0]!);
    expect(second.query({}, { limit: 1 }).items[0]?.id).toBe(Math.max(...before.map((r) => r.id)) + 1);
    expect(second.counts().captured).toBe(27);
    second.close();
  });
});

describe('what the capture remembers for the next run (downtime accounting)', () => {
  it("the time it was last alive, and each source's broker count with the newest record id then", () => {
    const dir = tempDataDir();
    let clock = T0 + 1000;
    const first = createCaptureCore(options(dir, { now: () => clock }));
    expect(first.continuity.previousRunAliveAt).toBeNull();
    const raws = fixtureRaws(T0);
    for (const raw of raws.slice(0, 20)) first.ingest(raw);
    first.continuity.saveBrokerCount('rabbit-test', { published: 10_500, brokerStartedAt: T0 - 3_600_000 });
    const lastIdAtReading = first.counts().captured;
    for (const raw of raws.slice(20)) first.ingest(raw);
    first.continuity.saveBrokerCount('other', { published: 7, brokerStartedAt: null });
    clock = T0 + 4000;
    first.close();

    const second = createCaptureCore(options(dir, { now: () => T0 + 60_000 }));
    // Closing wrote its last sign of life.
    expect(second.continuity.previousRunAliveAt).toBe(T0 + 4000);
    expect(second.continuity.brokerCount('rabbit-test')).toEqual({
      published: 10_500,
      brokerStartedAt: T0 - 3_600_000,
      lastId: lastIdAtReading,
      at: T0 + 1000,
    });
    expect(second.continuity.brokerCount('other')).toMatchObject({ published: 7, brokerStartedAt: null });
    expect(second.continuity.brokerCount('never-read')).toBeNull();
    // What the source still captured after its reading (stored records of that source only).
    const after = second.query({}, { limit: 1000 }).items.filter((r) => r.id > lastIdAtReading).length;
    expect(after).toBeGreaterThan(0);
    expect(second.continuity.capturedAfter('rabbit-test', lastIdAtReading)).toBe(after);
    expect(second.continuity.capturedAfter('other', 0)).toBe(0);
    second.close();
  });

  it('keeps its heartbeat every few seconds while no message comes, and writes a broker count at once', () => {
    vi.useFakeTimers();
    const dir = tempDataDir();
    let clock = T0;
    const core = createCaptureCore(options(dir, { now: () => clock, timers: true }));
    // Read by another connection while the core is open: what a restart finds if the agent is killed now.
    const store = new CaptureStore(dir);
    try {
      clock = T0 + 5000;
      vi.advanceTimersByTime(5000);
      expect(store.meta('aliveAt')).toBe(T0 + 5000);
      clock = T0 + 6000;
      core.continuity.saveBrokerCount('rabbit-test', { published: 1, brokerStartedAt: T0 });
      expect(store.meta('brokerCount.published:rabbit-test')).toBe(1);
      expect(store.meta('aliveAt')).toBe(T0 + 6000);
    } finally {
      store.close();
      core.close();
      vi.useRealTimers();
    }
  });
});

describe('retention', () => {
  it('evicts the oldest messages by count and counts them', () => {
    const core = createCaptureCore(options(tempDataDir(), { retention: { maxMessages: 10, maxBytes: 1e9 } }));
    for (const raw of fixtureRaws(T0)) core.ingest(raw);
    core.flush();
    const counts = core.counts();
    expect(counts.captured).toBe(26);
    expect(counts.stored).toBeLessThanOrEqual(10);
    expect(counts.stored + counts.evicted).toBe(26);
    const items = core.query({}, { limit: 1000 }).items;
    expect(items).toHaveLength(counts.stored);
    // The newest survive: the legacy notification of line 51 is the last publish.
    expect(items[0]?.capturedAt).toBe(at(51));
    core.close();
  });

  it('evicts by total body bytes', () => {
    const core = createCaptureCore(options(tempDataDir(), { retention: { maxMessages: 1000, maxBytes: 10_000 } }));
    for (const raw of fixtureRaws(T0)) core.ingest(raw);
    core.flush();
    const counts = core.counts();
    expect(counts.storedBytes).toBeLessThanOrEqual(10_000);
    expect(counts.evicted).toBeGreaterThan(0);
    expect(counts.stored + counts.evicted).toBe(26);
    core.close();
  });
});

describe('export and import', () => {
  it('round-trips a capture through NDJSON: the same records come back', async () => {
    const source = createCaptureCore(options(tempDataDir(), { now: () => T0 + 60_000 }));
    for (const raw of fixtureRaws(T0)) source.ingest(raw);
    source.flush();
    const lines: string[] = [];
    expect(source.exportNdjson({}, (l) => lines.push(l))).toEqual({ lines: 26, missing: 0, reasons: [] });
    expect(lines).toHaveLength(27);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ trailer: { lines: 26, missing: 0, reasons: [] } });
    const exported = source.query({}, { limit: 1000 }).items;
    source.close();

    const target = createCaptureCore(options(tempDataDir(), { now: () => T0 + 60_000 }));
    const result = await target.importNdjson(lines, { source: 'import:fixture.ndjson' });
    expect(result).toEqual({ imported: 26, errors: 0 });
    target.flush();
    const imported = target.query({}, { limit: 1000 }).items;
    expect(imported.every((r) => r.source === 'import:fixture.ndjson')).toBe(true);
    expect(byCaptureTime(imported)).toEqual(byCaptureTime(exported));
    expect(target.counts()).toMatchObject({ captured: 26, stored: 26 });
    target.close();
  });

  it('exports only what the filter selects', () => {
    const core = createCaptureCore(options(tempDataDir()));
    for (const raw of fixtureRaws(T0)) core.ingest(raw);
    const lines: string[] = [];
    core.exportNdjson({ kind: 'notification' }, (l) => lines.push(l));
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as { record: EnvelopeRecord }).record.kind)).toEqual(['notification', 'notification', 'notification']);
    core.close();
  });

  it('counts malformed lines as errors and imports the rest', async () => {
    const source = createCaptureCore(options(tempDataDir()));
    for (const raw of fixtureRaws(T0).slice(0, 4)) source.ingest(raw);
    const good: string[] = [];
    source.exportNdjson({}, (l) => good.push(l));
    source.close();
    const target = createCaptureCore(options(tempDataDir()));
    async function* lines() {
      yield good[0]!;
      yield '{not json';
      yield '';
      yield JSON.stringify({ v: 2, raw: {} });
      yield JSON.stringify({ v: 1, record: {}, raw: { bodyBase64: '!!', exchange: '', routingKey: '', headers: {} } });
      yield '[]';
      yield good[1]!;
    }
    expect(await target.importNdjson(lines())).toEqual({ imported: 2, errors: 4 });
    const items = target.query({}, {}).items;
    expect(items.map((r) => r.kind).sort()).toEqual(['call', 'reply']);
    expect(items.find((r) => r.kind === 'call')?.outcome?.status).toBe('ok');
    target.close();
  });
});

describe('correlation edge cases', () => {
  const raws = () => fixtureRaws(T0);

  it('links a reply that arrives before its call', () => {
    const core = createCaptureCore(options(tempDataDir()));
    const r = raws();
    core.ingest(r[2]!); // reply (line 3)
    core.ingest(r[0]!); // call (line 1)
    core.ingest(r[1]!); // deliver (line 2)
    const call = core.query({ kind: 'call' }, {}).items[0];
    const reply = core.query({ kind: 'reply' }, {}).items[0];
    expect(call?.outcome).toMatchObject({ status: 'ok', replyId: reply?.id });
    expect(reply).toMatchObject({ requestId: call?.id, server: 'node-a', target: { topic: 'demo' } });
    core.close();
  });

  it('keeps a deliver whose publish was not seen, and upgrades it when the publish shows up', () => {
    const core = createCaptureCore(options(tempDataDir()));
    const r = raws();
    core.ingest(r[1]!); // deliver (line 2) first
    let items = core.query({}, {}).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'call', method: 'echo', server: 'node-a', client: { connection: null } });
    core.ingest(r[0]!); // its publish
    items = core.query({}, {}).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ server: 'node-a', client: { connection: '127.0.0.1:54338 -> 127.0.0.1:5672' } });
    expect(items[0]?.deliveries).toHaveLength(1);
    expect(core.counts().captured).toBe(1);
    core.close();
  });

  it('records a broker redelivery as a second delivery of the same message', () => {
    const core = createCaptureCore(options(tempDataDir()));
    const r = raws();
    core.ingest(r[0]!);
    core.ingest(r[1]!);
    core.ingest({ ...r[5]!, body: r[1]!.body, headers: { ...r[5]!.headers, redelivered: 1 }, receivedAt: at(7) });
    const call = core.query({}, {}).items[0];
    expect(call?.deliveries.map((d) => [d.server, d.redelivered])).toEqual([
      ['node-a', false],
      ['node-b', true],
    ]);
    expect(call?.server).toBe('node-b');
    core.close();
  });

  it('keeps timeout for a reply that arrives after the call timed out, but links it', () => {
    let clock = T0;
    const core = createCaptureCore(options(tempDataDir(), { now: () => clock, defaultCallTimeoutMs: 60_000 }));
    const r = raws();
    core.ingest(r[0]!);
    clock = at(1) + 61_001; // expiration 60000 + 1 s grace
    core.flush();
    core.ingest({ ...r[2]!, receivedAt: clock });
    const call = core.query({ kind: 'call' }, {}).items[0];
    const reply = core.query({ kind: 'reply' }, {}).items[0];
    expect(call?.outcome).toMatchObject({ status: 'timeout', replyId: reply?.id, latencyMs: null });
    expect(reply?.requestId).toBe(call?.id);
    core.close();
  });

  it('counts undecodable messages and keeps them', () => {
    const core = createCaptureCore(options(tempDataDir()));
    core.ingest({ ...raws()[0]!, body: new Uint8Array(Buffer.from('{"oslo.version": "2.0", "oslo.message": "{bad"}')) });
    expect(core.counts()).toMatchObject({ captured: 1, decodeErrors: 1 });
    expect(core.query({}, {}).items[0]?.decodeError?.code).toBe('inner-not-json');
    core.close();
  });
});

describe('a store write that fails', () => {
  it('is written on a later flush: nothing lost, changes made meanwhile kept', () => {
    const dir = tempDataDir();
    const core = createCaptureCore(options(dir, { storeWriter: 'inline' }));
    const raws = fixtureRaws(T0);
    // The disk refuses the first batch (full, I/O error): the writer reports it, the core keeps the writes.
    const apply = vi.spyOn(CaptureStore.prototype, 'applyBatch').mockImplementationOnce(() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    try {
      for (const raw of raws.slice(0, 10)) core.ingest(raw);
      core.flush();
      expect(apply.mock.results.map((r) => r.type)).toEqual(['throw']);
      // Replies and deliveries arriving meanwhile change the records whose insert failed.
      for (const raw of raws.slice(10)) core.ingest(raw);
      core.flush();
      expect(core.counts()).toMatchObject({ captured: 26, stored: 26, dropped: 0 });
      expect(apply.mock.results.map((r) => r.type)).toEqual(['throw', 'return']); // retried with the later changes
      // Nothing is left counted against the write queue's bounds after the retry.
      expect(core.storeHealth()).toEqual({ writer: 'inline', stalled: false, unwritten: 0, unwrittenBytes: 0, damage: [], readOnly: null, writeError: null });
    } finally {
      apply.mockRestore();
    }
    const all = core.query({}, { limit: 1000 }).items;
    core.close();
    // The same capture without the failure gives the same records.
    const clean = createCaptureCore(options(tempDataDir(), { storeWriter: 'inline' }));
    for (const raw of raws) clean.ingest(raw);
    expect(byCaptureTime(all)).toEqual(byCaptureTime(clean.query({}, { limit: 1000 }).items));
    clean.close();
  });
});

describe('the write queue bound', () => {
  it('drops new messages once the unwritten bodies reach the byte limit, counts them, marks a gap, and admits again once written', () => {
    const raws = fixtureRaws(T0).filter((r) => r.routingKey.startsWith('publish.'));
    const limit = raws[0]!.body.byteLength + raws[1]!.body.byteLength;
    const core = createCaptureCore(options(tempDataDir(), { storeWriter: 'inline', maxWriteQueueBytes: limit }));
    try {
      // No flush between them: the first two fill the queue's byte budget, the next two are dropped.
      for (const raw of raws.slice(0, 4)) core.ingest(raw);
      expect(core.counts()).toMatchObject({ captured: 2, dropped: 2 });
      expect(core.storeHealth()).toMatchObject({ unwritten: 2, unwrittenBytes: limit });
      core.flush();
      expect(core.storeHealth()).toMatchObject({ unwritten: 0, unwrittenBytes: 0 });
      core.ingest(raws[4]!);
      expect(core.counts()).toMatchObject({ captured: 3, dropped: 2, stored: 2 });
      const gaps = core.gaps();
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.reason).toBe('capture store is falling behind: 2 messages dropped');
    } finally {
      core.close();
    }
  });
});
