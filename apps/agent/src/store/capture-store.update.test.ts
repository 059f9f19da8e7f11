/**
 * Rows changed after they were written (a delivery names a server, a reply answers a call, a
 * call times out): the store rewrites only the columns that changed, so every filter, page,
 * total and summary must read exactly as if the final records had been written at once.
 */
import { describe, expect, it } from 'vitest';
import type { EnvelopeFilter } from '@osloscope/shared';
import { prepareBatch } from './write-batch.js';
import { CaptureStore } from './capture-store.js';
import { fixtureRaws, fixtureStoreWrites, openTestCore, tempDataDir } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;
const LATER = T0 + 3_600_000; // every unanswered call has timed out by then

function view(batchPerEvent: boolean) {
  let clock = T0;
  const core = openTestCore({ now: () => clock });
  try {
    for (const raw of fixtureRaws(T0)) {
      clock = raw.receivedAt;
      core.ingest(raw);
      if (batchPerEvent) core.flush();
    }
    clock = LATER;
    core.flush();
    const records = core.query({}, { limit: 1000 }).items;
    const values = <K extends keyof (typeof records)[number]>(k: K) => [...new Set(records.map((r) => r[k]))];
    const filters: EnvelopeFilter[] = [
      {},
      ...(['call', 'cast', 'reply', 'notification'] as const).map((kind) => ({ kind })),
      ...(['ok', 'error', 'timeout', 'pending'] as const).map((outcome) => ({ outcome })),
      ...values('server').flatMap((s) => (s ? [{ server: s }] : [])),
      ...values('method').flatMap((m) => (m ? [{ method: m }] : [])),
      ...records.flatMap((r): EnvelopeFilter[] =>
        r.target ? [{ topic: r.target.topic ?? '' }, { version: r.target.version ?? '' }, { exchange: r.target.exchange ?? '' }] : [],
      ),
      { signature: 'unsigned' },
      { namespace: '' },
      { text: 'node-a' },
    ];
    return {
      pages: filters.map((f) => ({ f, ...core.query(f, { limit: 1000 }) })),
      flows: core.flows({}),
      versions: core.versions({}),
      counts: core.counts(),
    };
  } finally {
    core.close();
  }
}

describe('a stored row changed later', () => {
  it('is found by every filter exactly as a row written once with its final record', () => {
    const once = view(false);
    const changed = view(true);
    expect(changed).toEqual(once);
    // The fixture's changes do move indexed columns (outcomes) and server names.
    expect(once.pages.find((p) => 'outcome' in p.f && p.f.outcome === 'error')?.total).toBeGreaterThan(0);
    expect(once.pages.some((p) => 'server' in p.f && p.total > 0)).toBe(true);
  });

  it('loses a server name it no longer has, and keeps the ones it still has', () => {
    const dataDir = tempDataDir();
    const store = new CaptureStore(dataDir);
    try {
      const write = fixtureStoreWrites(T0).find((w) => w.record.kind === 'call')!;
      const retention = { maxMessages: 1000, maxBytes: 1e9 };
      const record = { ...write.record, server: 'compute-a', reached: ['compute-a', 'compute-b'] };
      store.applyBatch(prepareBatch([{ ...write, record }], {}), retention);
      const ids = (server: string) => store.select<{ id: number }>('SELECT id FROM message_servers WHERE server = ?', [server]).map((r) => r.id);
      expect([ids('compute-a'), ids('compute-b')]).toEqual([[record.id], [record.id]]);

      const changed = { ...record, server: 'compute-b', reached: ['compute-b'] };
      store.applyBatch(prepareBatch([{ record: changed, raw: null, insert: false, bodyText: null }], {}), retention);
      expect([ids('compute-a'), ids('compute-b')]).toEqual([[], [record.id]]);
      expect(store.getLeanRecord(record.id)?.server).toBe('compute-b');
    } finally {
      store.close();
    }
  });
});
