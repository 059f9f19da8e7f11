import Database from 'better-sqlite3';
import type { StoreDamage } from '@osloscope/shared';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { RawSegmentLog, frameLength, frameMeta, writeFrame } from './raw-segments.js';
import { jsonSafe, prepareBatch } from './write-batch.js';
import type { StoredRaw } from './raw-segments.js';
import { CaptureStore } from './capture-store.js';
import { fixtureStoreWrites, tempDataDir } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;

function rawOf(i: number, bodyBytes = 100): StoredRaw {
  return {
    origin: 'firehose',
    exchange: 'amq.rabbitmq.trace',
    routingKey: `publish.nova.${i}`,
    headers: { exchange_name: 'nova', routing_keys: [`compute.${i}`], properties: { headers: { n: i } } },
    properties: {},
    body: new Uint8Array(bodyBytes).fill(i % 251),
  };
}

/** Frames of `raws` back to back, as prepareBatch lays them out, and where each one is. */
function framesOf(raws: StoredRaw[]): { bytes: Uint8Array; at: [number, number][] } {
  const metas = raws.map((r) => frameMeta(r, jsonSafe));
  const bytes = new Uint8Array(raws.reduce((n, r, i) => n + frameLength(metas[i]!, r.body.byteLength), 0));
  const at: [number, number][] = [];
  let offset = 0;
  raws.forEach((r, i) => {
    const end = writeFrame(bytes, offset, metas[i]!, r.body);
    at.push([offset, end - offset]);
    offset = end;
  });
  return { bytes, at };
}

describe('raw segment log', () => {
  it('gives back each raw event of a batch appended in one write, exactly', () => {
    const log = new RawSegmentLog(tempDataDir());
    const raws = [rawOf(1), rawOf(2, 20_000), rawOf(3, 0)];
    const { bytes, at } = framesOf(raws);
    const { segment, offset } = log.append(bytes);
    raws.forEach((raw, i) => {
      expect(log.read({ segment, offset: offset + at[i]![0], length: at[i]![1] })).toEqual(raw);
    });
    log.close();
  });

  it('starts a new segment when the current one is full, never splitting a batch', () => {
    const dataDir = tempDataDir();
    const log = new RawSegmentLog(dataDir, 1000);
    const refs = [];
    for (let i = 0; i < 10; i++) {
      const { bytes } = framesOf([rawOf(i, 300)]);
      refs.push({ ...log.append(bytes), length: bytes.byteLength });
    }
    // ~480 bytes a frame: two per 1,000-byte segment.
    expect(new Set(refs.map((r) => r.segment)).size).toBe(5);
    expect(log.segments()).toEqual([1, 2, 3, 4, 5]);
    refs.forEach((ref, i) => expect((log.read(ref) as StoredRaw).routingKey).toBe(`publish.nova.${i}`));
    log.close();
  });

  it('starts a new segment after a restart rather than appending after what the last run left', () => {
    const dataDir = tempDataDir();
    const first = new RawSegmentLog(dataDir);
    const ref = { ...first.append(framesOf([rawOf(1)]).bytes), length: framesOf([rawOf(1)]).bytes.byteLength };
    first.close();
    // A half-written frame left at the end by a crash.
    fs.appendFileSync(path.join(dataDir, 'raw', '00000001.seg'), Buffer.from([200, 0, 0, 0, 91]));
    const second = new RawSegmentLog(dataDir);
    const next = second.append(framesOf([rawOf(2)]).bytes);
    expect(next).toEqual({ segment: 2, offset: 0 });
    expect(second.read(ref)).toEqual(rawOf(1));
    second.close();
  });

  it('keeps offsets exact after a write that failed halfway (disk full): the next batch overwrites the partial bytes', () => {
    const dataDir = tempDataDir();
    const log = new RawSegmentLog(dataDir);
    const first = framesOf([rawOf(1)]).bytes;
    const refFirst = { ...log.append(first), length: first.byteLength };
    const realWrite = fs.writeSync;
    // Half the frame goes to disk, then the disk is full.
    const failing = vi.spyOn(fs, 'writeSync').mockImplementationOnce(((fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => {
      realWrite(fd, buffer, offset, Math.floor(length / 2), position);
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    }) as unknown as typeof fs.writeSync);
    expect(() => log.append(framesOf([rawOf(2, 5000)]).bytes)).toThrow(/ENOSPC/);
    failing.mockRestore();
    const third = framesOf([rawOf(3)]).bytes;
    const refThird = { ...log.append(third), length: third.byteLength };
    expect(refThird.offset).toBe(first.byteLength);
    expect(log.read(refFirst)).toEqual(rawOf(1));
    expect(log.read(refThird)).toEqual(rawOf(3));
    log.close();
  });

  it('says, without throwing, why a raw event cannot be read: segment removed, frame cut short, bytes that are no frame', () => {
    const dataDir = tempDataDir();
    const log = new RawSegmentLog(dataDir, 100);
    const a = framesOf([rawOf(1)]).bytes;
    const refA = { ...log.append(a), length: a.byteLength };
    const b = framesOf([rawOf(2)]).bytes;
    const refB = { ...log.append(b), length: b.byteLength };
    expect(log.remove([refA.segment, refB.segment])).toEqual([refA.segment]); // never the one being written
    expect(log.read(refA)).toEqual({ lost: 'missing', segment: refA.segment });
    expect(log.read(refB)).toEqual(rawOf(2));
    expect(log.read({ ...refB, length: refB.length + 10 })).toEqual({ lost: 'truncated', segment: refB.segment });
    fs.truncateSync(path.join(dataDir, 'raw', '00000002.seg'), 6);
    expect(log.read(refB)).toEqual({ lost: 'truncated', segment: refB.segment });
    expect(log.read({ segment: refB.segment, offset: 0, length: 3 })).toEqual({ lost: 'damaged', segment: refB.segment });
    expect(log.stat(refB.segment)).toEqual({ size: 6 });
    expect(log.stat(refA.segment)).toEqual({ missing: true });
    expect(log.fileOf(refB.segment)).toEqual({ path: path.join(dataDir, 'raw', '00000002.seg'), name: 'raw/00000002.seg' });
    log.close();
  });
});

describe('the capture store with the raw segment log', () => {
  const writes = () => fixtureStoreWrites(T0);
  /** What the store keeps of a raw capture. */
  const stored = (raw: StoredRaw | null): StoredRaw | null =>
    raw && { origin: raw.origin, exchange: raw.exchange, routingKey: raw.routingKey, headers: raw.headers, properties: raw.properties, body: raw.body };

  it('keeps raw events out of SQLite and gives them back after a restart, in rows and exports', () => {
    const dataDir = tempDataDir();
    const all = writes();
    const store = new CaptureStore(dataDir);
    store.applyBatch(prepareBatch(all, {}), { maxMessages: 1000, maxBytes: 1e9 });
    expect(store.select('SELECT COUNT(*) AS n FROM message_raw', [])).toEqual([{ n: 0 }]);
    store.close();
    const reopened = new CaptureStore(dataDir);
    for (const w of all) expect(reopened.getRow(w.record.id)?.raw).toEqual(stored(w.raw));
    expect([...reopened.iterateRows({ sql: '1', params: [] })].map((r) => r.raw?.body)).toEqual(all.map((w) => w.raw!.body));
    reopened.close();
  });

  it('deletes a segment once every message written into it is evicted', () => {
    const dataDir = tempDataDir();
    const all = writes();
    expect(all.length).toBeGreaterThan(8);
    // Small segments: each batch of two messages starts a new one.
    const store = new CaptureStore(dataDir, { rawSegmentBytes: 1 });
    const segmentFiles = () => fs.readdirSync(path.join(dataDir, 'raw')).length;
    for (let i = 0; i < 8; i += 2) store.applyBatch(prepareBatch(all.slice(i, i + 2), {}), { maxMessages: 1000, maxBytes: 1e9 });
    expect(segmentFiles()).toBe(4);
    // 9 stored, retention 5 (plus its 1-row margin): messages 1–5 go, so do segments 1 and 2
    // (messages 1–4); segment 3 (5–6) stays for message 6, and 4 and 5 (the one being written).
    store.applyBatch(prepareBatch(all.slice(8, 9), {}), { maxMessages: 5, maxBytes: 1e9 });
    expect(segmentFiles()).toBe(3);
    expect(store.select('SELECT segment FROM raw_segments ORDER BY segment', [])).toEqual([{ segment: 3 }, { segment: 4 }, { segment: 5 }]);
    expect(store.getRow(5)).toBeNull();
    expect(store.getRow(6)?.raw).toEqual(stored(all[5]!.raw));
    expect(store.getRow(9)?.raw).toEqual(stored(all[8]!.raw));
    store.close();
  });

  it('still reads, exports and evicts the raw events an older version kept in message_raw, beside new ones', () => {
    const dataDir = tempDataDir();
    const all = writes();
    const store = new CaptureStore(dataDir);
    store.applyBatch(prepareBatch(all.slice(0, 4), {}), { maxMessages: 1000, maxBytes: 1e9 });
    store.close();
    // Make messages 1-4 rows of the older layout: raw event in message_raw, no segment reference.
    const db = new Database(path.join(dataDir, 'capture.sqlite'));
    const insertOld = db.prepare('INSERT INTO message_raw (id, origin, exchange, routing_key, headers, properties, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const w of all.slice(0, 4)) {
      const r = w.raw!;
      insertOld.run(w.record.id, r.origin, r.exchange, r.routingKey, JSON.stringify(r.headers), JSON.stringify(r.properties), Buffer.from(r.body));
    }
    db.exec('UPDATE messages SET raw_segment = NULL, raw_offset = NULL, raw_length = NULL; DELETE FROM raw_segments');
    db.close();
    fs.rmSync(path.join(dataDir, 'raw'), { recursive: true });

    const reopened = new CaptureStore(dataDir);
    reopened.applyBatch(prepareBatch(all.slice(4, 8), {}), { maxMessages: 1000, maxBytes: 1e9 });
    for (const w of all.slice(0, 8)) expect(reopened.getRow(w.record.id)?.raw, `message ${w.record.id}`).toEqual(stored(w.raw));
    expect([...reopened.iterateRows({ sql: '1', params: [] })].map((r) => r.raw?.body)).toEqual(all.slice(0, 8).map((w) => w.raw!.body));
    // Evicting the old rows empties message_raw; the new ones stay readable.
    reopened.applyBatch(prepareBatch(all.slice(8, 9), {}), { maxMessages: 5, maxBytes: 1e9 });
    expect(reopened.select('SELECT COUNT(*) AS n FROM message_raw', [])).toEqual([{ n: 0 }]);
    expect(reopened.getRow(8)?.raw).toEqual(stored(all[7]!.raw));
    reopened.close();
  });

  it('gives back the record of a message whose raw event was cut short, with the reason, in rows and exports, and reports it', () => {
    const dataDir = tempDataDir();
    const all = writes().slice(0, 3);
    const store = new CaptureStore(dataDir);
    const found: StoreDamage[] = [];
    store.checkRawSegments((d) => found.push(d));
    store.applyBatch(prepareBatch(all, {}), { maxMessages: 1000, maxBytes: 1e9 });
    const file = path.join(dataDir, 'raw', '00000001.seg');
    fs.truncateSync(file, fs.statSync(file).size - 10);
    // What the row kept: a lean record's body fields are gone with its raw event.
    expect(store.getRow(3)).toEqual({ record: { ...all[2]!.record, args: null, context: null }, raw: null, lost: 'raw/00000001.seg is truncated' });
    expect(store.getRow(2)?.raw).toEqual(stored(all[1]!.raw));
    expect([...store.iterateRows({ sql: '1', params: [] })].map((r) => [r.record.id, r.lost])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, 'raw/00000001.seg is truncated'],
    ]);
    expect(found).toEqual([
      { problem: expect.stringMatching(/^raw\/00000001\.seg is truncated \(.* bytes left\): 1 record's raw event is missing$/), records: 1, path: file },
    ]);
    expect(store.damage()).toEqual(found);
    store.close();
  });
});
