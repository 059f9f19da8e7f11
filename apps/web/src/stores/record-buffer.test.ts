import { describe, expect, it } from 'vitest';
import { makeRecord } from '../test/make-record';
import { RecordBuffer } from './record-buffer';

const ids = (b: RecordBuffer) => [...b.ids()];
const bad = (id: number) => makeRecord(id, { signature: { status: 'failed', reason: 'InvalidSignature' } });

describe('RecordBuffer', () => {
  it('keeps ids ascending whatever the arrival order, and a re-sent record replaces the buffered one', () => {
    const b = new RecordBuffer();
    for (const id of [10, 12, 5, 11]) expect(b.append(makeRecord(id))).toBe(true);
    const again = makeRecord(11, { method: 'resent' });
    expect(b.append(again)).toBe(false);
    b.commit();
    expect(ids(b)).toEqual([5, 10, 11, 12]);
    expect(b.size).toBe(4);
    expect(b.get(11)).toBe(again);
    expect([...b.records()].map((r) => r.id)).toEqual([5, 10, 11, 12]);
  });

  it('replaces a record on update, keeping the body fields the update leaves out, and ignores updates for unbuffered ids', () => {
    const b = new RecordBuffer();
    const first = makeRecord(2, { args: { instance: 'i-2' }, context: { user: 'demo' } });
    b.append(first);
    b.commit();
    // What the agent streams for a change: the record without args and context (shared withoutBody).
    b.update(makeRecord(2, { args: null, context: null, outcome: { status: 'error', latencyMs: 40, replyId: 9, failure: null, heartbeats: 1 } }));
    b.update(makeRecord(99));
    b.commit();
    const now = b.get(2);
    expect(now).not.toBe(first); // a new object: readers compare by identity
    expect(now).toMatchObject({ outcome: { status: 'error' }, args: { instance: 'i-2' }, context: { user: 'demo' } });
    expect(first.outcome?.status).toBe('ok'); // never mutated
    expect(b.get(99)).toBeUndefined();
    expect(ids(b)).toEqual([2]);
  });

  it('evicts the oldest beyond the cap', () => {
    const b = new RecordBuffer();
    for (let id = 1; id <= 5; id++) b.append(makeRecord(id));
    expect(b.evictOver(3)).toBe(2);
    expect(b.evictOver(3)).toBe(0);
    b.commit();
    expect(ids(b)).toEqual([3, 4, 5]);
    expect(b.get(1)).toBeUndefined();
  });

  it('keeps the failed-signature count in step with appends, updates and evictions', () => {
    const b = new RecordBuffer();
    [bad(1), makeRecord(2), bad(3)].forEach((r) => b.append(r));
    expect(b.failedSignatures).toBe(2);
    b.update(makeRecord(3)); // re-verified
    expect(b.failedSignatures).toBe(1);
    b.append(bad(2)); // re-sent, now failed
    expect(b.failedSignatures).toBe(2);
    b.evictOver(1);
    expect(b.failedSignatures).toBe(0);
  });

  it('bumps the version once per commit and tells a reader one commit behind what changed', () => {
    const b = new RecordBuffer();
    const v0 = b.version;
    const r1 = makeRecord(1);
    const r2 = makeRecord(2);
    b.append(r1);
    b.append(r2);
    expect(b.version).toBe(v0); // writes alone announce nothing
    const v1 = b.commit();
    expect(v1).toBe(v0 + 1);
    expect(b.changeSince(v0)).toEqual({ added: [r1, r2], replaced: [], evicted: [] });

    const r2b = makeRecord(2, { method: 'later' });
    b.update(r2b);
    b.append(makeRecord(3));
    b.evictOver(2);
    const v2 = b.commit();
    const change = b.changeSince(v1);
    expect(change?.added.map((r) => r.id)).toEqual([3]);
    expect(change?.replaced).toEqual([{ prev: r2, next: b.get(2) }]);
    expect(change?.evicted).toEqual([r1]);
    // Two commits behind, or already current: no change to follow (rebuild, or nothing to do).
    expect(b.changeSince(v0)).toBeNull();
    expect(b.changeSince(v2)).toBeNull();
  });

  it('clear empties it under a new version with no change to follow', () => {
    const b = new RecordBuffer();
    b.append(bad(1));
    const v1 = b.commit();
    b.freezeView();
    const v2 = b.clear();
    expect(v2).toBe(v1 + 1);
    expect(b.changeSince(v1)).toBeNull();
    expect([b.size, b.failedSignatures, ids(b), b.frozenAt]).toEqual([0, 0, [], null]);
    b.append(makeRecord(5));
    b.commit();
    expect(b.changeSince(v2)?.added.map((r) => r.id)).toEqual([5]);
  });

  it('a frozen view keeps the ids it froze with while records keep arriving and updating', () => {
    const b = new RecordBuffer();
    [1, 2, 3].forEach((id) => b.append(makeRecord(id)));
    const v = b.commit();
    expect(b.viewIds()).toBe(b.ids()); // live: the buffer itself
    b.freezeView();
    expect(b.frozenAt).toBe(v);
    b.append(makeRecord(4));
    b.update(makeRecord(2, { method: 'updated' }));
    b.evictOver(3);
    b.commit();
    b.freezeView(); // already frozen: keeps the first snapshot
    expect([...b.viewIds()]).toEqual([1, 2, 3]);
    expect(b.get(1)).toBeUndefined(); // evicted since: readers skip it
    expect(b.get(2)?.method).toBe('updated');
    b.thawView();
    expect([b.frozenAt, [...b.viewIds()]]).toEqual([null, [2, 3, 4]]);
  });
});
