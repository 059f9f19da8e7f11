import type { EnvelopeRecord } from '@osloscope/shared';
import { describe, expect, it } from 'vitest';
import { SubscriberQueue } from './subscriber-queue.js';

const rec = (id: number, method = 'm', args: Record<string, unknown> | null = null): EnvelopeRecord =>
  ({ id, method, args, context: null, reply: null, notification: null }) as unknown as EnvelopeRecord;
const ids = (records: EnvelopeRecord[] | undefined) => (records ?? []).map((r) => r.id);

describe('SubscriberQueue', () => {
  it('sends a record changed before it was sent once, in its newest state, with the body it was first sent with', () => {
    const q = new SubscriberQueue();
    q.push(rec(1, 'first', { value: 'a' }), true);
    q.push(rec(1, 'second'), false); // an update: no body fields
    const batch = q.drain();
    expect(batch?.items.map((r) => [r.method, r.args])).toEqual([['second', { value: 'a' }]]);
    expect(batch?.updates).toEqual([]);
  });

  it('knows which records it was sent (history and new ones), the newest of them up to its memory', () => {
    const q = new SubscriberQueue(100, 3);
    q.reset([1, 2]);
    expect([q.has(1), q.has(2), q.has(3)]).toEqual([true, true, false]);
    for (let id = 3; id <= 5; id++) q.push(rec(id), true);
    expect([1, 2, 3, 4, 5].map((id) => q.has(id))).toEqual([false, false, true, true, true]);
    q.reset([]);
    expect(q.has(5)).toBe(false);
  });

  it('drains at most the asked number of records, new ones oldest first, then updates; the rest comes next', () => {
    const q = new SubscriberQueue();
    q.reset([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // sent as history
    for (let id = 1; id <= 3; id++) q.push(rec(id), false); // updates of history
    for (let id = 11; id <= 15; id++) q.push(rec(id), true);
    const first = q.drain(4);
    expect([ids(first?.items), ids(first?.updates)]).toEqual([[11, 12, 13, 14], []]);
    const second = q.drain(4);
    expect([ids(second?.items), ids(second?.updates)]).toEqual([[15], [1, 2, 3]]);
    expect(q.drain(4)).toBeNull();
  });

  it('reports records it had to skip when a subscriber falls behind, once', () => {
    const q = new SubscriberQueue(3);
    for (let id = 1; id <= 5; id++) q.push(rec(id), true);
    const batch = q.drain(2);
    expect([ids(batch?.items), batch?.skipped]).toEqual([[3, 4], 2]);
    expect(q.drain(2)).toMatchObject({ skipped: 0 });
  });
});
