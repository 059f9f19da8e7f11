import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import { prepareBatch, type StoreWrite } from './write-batch.js';
import { CaptureStore } from './capture-store.js';
import { bodySearchTextOf } from './search-text.js';
import { fixtureStoreWrites, tempDataDir } from '../../test/support/capture-fixtures.js';
import { COLUMN_NAMES, columnsOf } from './columns.js';

const T0 = 1_795_973_550_000;
const RETENTION = { maxMessages: 1000, maxBytes: 1e9 };

const fixtureWrites = (): StoreWrite[] => fixtureStoreWrites(T0);

const copy = <T>(v: T): T => structuredClone(v);

describe('lean stored records', () => {
  it('give back every fixture record exactly, body fields decoded again from the stored raw event', () => {
    const writes = fixtureWrites();
    expect(new Set(writes.map((w) => w.record.kind))).toEqual(new Set(['call', 'cast', 'reply', 'notification']));
    const dataDir = tempDataDir();
    const store = new CaptureStore(dataDir);
    store.applyBatch(prepareBatch(writes, {}), RETENTION);
    for (const w of writes) {
      const row = store.getRow(w.record.id);
      expect(row?.record, `record ${w.record.id} (${w.record.kind})`).toEqual(w.record);
      expect(row?.raw?.body).toEqual(w.raw?.body);
    }
    // They were stored lean: the body fields are not in the row.
    const rows = store.select<{ lean: number; record_json: string }>('SELECT lean, record_json FROM messages', []);
    expect(rows.every((r) => r.lean === 1)).toBe(true);
    const withArgs = writes.filter((w) => w.record.args !== null).length;
    expect(withArgs).toBeGreaterThan(5);
    expect(rows.filter((r) => (JSON.parse(r.record_json) as EnvelopeRecord).args !== null)).toHaveLength(0);
    // Pages and exports hydrate too.
    expect(store.page({ sql: '1', params: [] }, 100)).toEqual([...writes].reverse().map((w) => w.record));
    expect([...store.iterateRows({ sql: '1', params: [] })].map((r) => r.record)).toEqual(writes.map((w) => w.record));
    store.close();
  });

  it('keep their raw event and body fields when a later change comes without it', () => {
    const writes = fixtureWrites();
    const call = writes.find((w) => w.record.kind === 'call' && w.record.args !== null);
    if (!call) throw new Error('no call in the fixture');
    const store = new CaptureStore(tempDataDir());
    store.applyBatch(prepareBatch([call], {}), RETENTION);
    const changed = copy(call.record);
    changed.server = 'node-z';
    changed.deliveries = [{ queue: 'q', connection: null, server: 'node-z', redelivered: false, at: T0 }];
    store.applyBatch(prepareBatch([{ record: changed, raw: null, insert: false, bodyText: null }], {}), RETENTION);
    const row = store.getRow(changed.id);
    expect(row?.record).toEqual(changed);
    expect(row?.raw?.body).toEqual(call.raw?.body);
    store.close();
  });

  it('store a verified message whole: its fields may come from a decrypted body the raw event does not hold', () => {
    const call = fixtureWrites().find((w) => w.record.kind === 'call');
    if (!call) throw new Error('no call in the fixture');
    const record = { ...copy(call.record), signature: { status: 'valid' as const, reason: null }, args: { decrypted: 'plaintext-only' } };
    const store = new CaptureStore(tempDataDir());
    store.applyBatch(prepareBatch([{ record, raw: call.raw, insert: true, bodyText: bodySearchTextOf(record) }], {}), RETENTION);
    expect(store.getRow(record.id)?.record.args).toEqual({ decrypted: 'plaintext-only' });
    expect(store.select('SELECT lean FROM messages', [])).toEqual([{ lean: 0 }]);
    store.close();
  });

  it('opens a store that kept raw events in the messages table, moving them to message_raw', () => {
    const writes = fixtureWrites().slice(0, 6);
    const dataDir = tempDataDir();
    // The layout before the split: raw columns in `messages`, whole records.
    const old = new Database(path.join(dataDir, 'capture.sqlite'));
    old.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, ${COLUMN_NAMES.map((c) => `${c}`).join(', ')}, record_json TEXT NOT NULL,
      raw_origin TEXT NOT NULL, raw_exchange TEXT NOT NULL, raw_routing_key TEXT NOT NULL, raw_headers TEXT NOT NULL,
      raw_properties TEXT NOT NULL, raw_body BLOB NOT NULL, raw_size INTEGER NOT NULL);
      CREATE INDEX messages_kind ON messages(kind, id);`);
    const insert = old.prepare(
      `INSERT INTO messages (id, ${COLUMN_NAMES.join(', ')}, record_json, raw_origin, raw_exchange, raw_routing_key, raw_headers, raw_properties, raw_body, raw_size)
       VALUES (${Array.from({ length: COLUMN_NAMES.length + 9 }, () => '?').join(', ')})`,
    );
    for (const w of writes) {
      const cols = columnsOf(w.record);
      const raw = w.raw;
      if (!raw) throw new Error('fixture write without raw');
      insert.run(
        w.record.id,
        ...COLUMN_NAMES.map((c) => cols[c]),
        JSON.stringify(w.record),
        raw.origin,
        raw.exchange,
        raw.routingKey,
        JSON.stringify(raw.headers),
        JSON.stringify(raw.properties),
        Buffer.from(raw.body),
        raw.body.byteLength,
      );
    }
    old.close();

    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const store = new CaptureStore(dataDir);
    // Opening rewrites the store once: the operator is told why it takes a while.
    expect(warning).toHaveBeenCalledWith(expect.stringContaining(`raw events of ${writes.length} stored messages`), 'OsloscopeStore');
    warning.mockRestore();
    for (const w of writes) {
      const row = store.getRow(w.record.id);
      expect(row?.record).toEqual(w.record);
      expect(row?.raw?.body).toEqual(w.raw?.body);
      expect(row?.raw?.routingKey).toBe(w.raw?.routingKey);
    }
    const columns = store.select<{ name: string }>("SELECT name FROM pragma_table_info('messages')", []).map((c) => c.name);
    expect(columns).not.toContain('raw_body');
    expect(columns).toContain('raw_size');
    expect(store.select("SELECT name FROM sqlite_schema WHERE name = 'messages_kind'", [])).toHaveLength(1);
    expect(store.totals().stored).toBe(writes.length);
    // And it takes new writes.
    const next = fixtureWrites()[6];
    if (!next) throw new Error('fixture too short');
    store.applyBatch(prepareBatch([next], {}), RETENTION);
    expect(store.getRow(next.record.id)?.record).toEqual(next.record);
    store.close();
  });
});
