import { describe, expect, it } from 'vitest';
import { matchesFilter, type EnvelopeFilter, type EnvelopeRecord } from '@osloscope/shared';
import { makeRecord, makeTarget } from '../test/make-record';
import { play, randomFrames, type PlayedLive } from '../test/random-traffic';
import { applyLiveEvents, initialLiveState, type LiveEvent } from './live-store';
import { RecordBuffer } from './record-buffer';
import { createVisibleIdsSelector, moveSelection } from './selectors';

const batch = (items: EnvelopeRecord[], updates: EnvelopeRecord[] = []): LiveEvent => ({
  type: 'batch',
  batch: { items, updates, skipped: 0, history: true },
});

/** A fresh buffer holding `recs`, and its store state. */
function liveWith(recs: EnvelopeRecord[]): PlayedLive {
  const records = new RecordBuffer();
  const state = initialLiveState(records);
  return { records, state: { ...state, ...applyLiveEvents(records, state, [batch(recs)], 1000) } };
}

/** One more frame into `live`. */
function apply(live: PlayedLive, event: LiveEvent): void {
  live.state = { ...live.state, ...applyLiveEvents(live.records, live.state, [event], 1000) };
}

/** Pauses the view the way the live store does. */
function pause(live: PlayedLive): void {
  live.records.freezeView();
  live.state = { ...live.state, frozenAt: live.records.frozenAt };
}

function resume(live: PlayedLive): void {
  live.records.thawView();
  live.state = { ...live.state, frozenAt: null };
}

const records = [
  makeRecord(1, { server: 'node-a', method: 'echo' }),
  makeRecord(2, {
    server: 'node-b',
    method: 'echo',
    outcome: { status: 'error', latencyMs: 3, replyId: 7, failure: { class: 'ValueError', module: 'builtins', message: 'bad value' }, heartbeats: 0 },
  }),
  makeRecord(3, { kind: 'cast', outcome: null, method: 'record_event', server: 'node-a' }),
  makeRecord(4, { target: makeTarget({ namespace: 'admin', version: '2.1' }), method: 'get_stats', server: 'node-b' }),
  makeRecord(5, {
    kind: 'cast',
    outcome: null,
    target: makeTarget({ topic: 'compute', exchange: 'nova' }),
    method: 'reboot',
    server: 'cmp-1',
    signature: { status: 'failed', reason: 'ReplayedNonce' },
  }),
];

describe('visible ids (the stream) use the shared matcher', () => {
  const filters: EnvelopeFilter[] = [
    {},
    { server: 'node-a' },
    { exchange: 'nova', topic: 'compute' },
    { namespace: '' },
    { namespace: 'admin' },
    { kind: 'cast' },
    { outcome: 'error' },
    { signature: 'failed' },
    { text: 'valueerror' },
  ];
  it.each(filters)('filter %o shows exactly the records the shared matcher accepts, newest first', (filter) => {
    const live = liveWith(records);
    const select = createVisibleIdsSelector(live.records);
    const expected = records
      .filter((r) => matchesFilter(r, filter))
      .map((r) => r.id)
      .reverse();
    expect(select(live.state, filter).slice()).toEqual(expected);
  });

  it('filters the concrete cases operators use', () => {
    const live = liveWith(records);
    const select = createVisibleIdsSelector(live.records);
    expect(select(live.state, { server: 'node-a' }).slice()).toEqual([3, 1]);
    expect(select(live.state, { namespace: 'admin' }).slice()).toEqual([4]);
    expect(select(live.state, { text: 'bad value' }).slice()).toEqual([2]);
    expect(select(live.state, { kind: 'cast' }).slice()).toEqual([5, 3]);
  });

  it('shows the frozen list while paused, including updates to those rows', () => {
    const live = liveWith(records.slice(0, 2));
    const select = createVisibleIdsSelector(live.records);
    pause(live);
    apply(live, batch(records.slice(2), [makeRecord(1, { server: 'node-z' })]));
    expect(select(live.state, {}).slice()).toEqual([2, 1]);
    expect(select(live.state, { server: 'node-z' }).slice()).toEqual([1]);
  });

  it('returns the same list when nothing changed (no re-render)', () => {
    const live = liveWith(records);
    const select = createVisibleIdsSelector(live.records);
    const f = {};
    expect(select(live.state, f)).toBe(select(live.state, f));
  });
});

describe('moveSelection (j/k)', () => {
  const rows = [9, 7, 5];
  it('moves within bounds and starts at the first row', () => {
    expect(moveSelection(rows, null, 1)).toBe(9);
    expect(moveSelection(rows, 9, 1)).toBe(7);
    expect(moveSelection(rows, 5, 1)).toBe(5);
    expect(moveSelection(rows, 9, -1)).toBe(9);
    expect(moveSelection(rows, 42, -1)).toBe(9);
    expect(moveSelection([], 9, 1)).toBeNull();
  });
});

describe('visible ids follow in-place record updates', () => {
  it('a call that turns into an error appears under an outcome:error filter on the next frame', () => {
    const live = liveWith([makeRecord(1, { outcome: { status: 'pending', latencyMs: null, replyId: null, failure: null, heartbeats: 0 } })]);
    const select = createVisibleIdsSelector(live.records);
    const filter: EnvelopeFilter = { outcome: 'error' };
    expect(select(live.state, filter).slice()).toEqual([]);
    const failed = makeRecord(1, {
      outcome: { status: 'error', latencyMs: 5, replyId: 2, failure: { class: 'ValueError', module: 'builtins', message: 'x' }, heartbeats: 0 },
    });
    apply(live, batch([], [failed]));
    expect(select(live.state, filter).slice()).toEqual([1]);
  });
});

describe('visible ids kept incrementally', () => {
  /** The oracle: the view's ids matching the filter, recomputed from scratch. */
  const full = ({ records }: PlayedLive, filter: EnvelopeFilter): number[] =>
    records
      .viewIds()
      .filter((id) => {
        const rec = records.get(id);
        return rec !== undefined && matchesFilter(rec, filter);
      })
      .reverse();

  it.each([{}, { topic: 'compute' }, { outcome: 'error' as const }, { signature: 'failed' as const }])(
    'gives the full computation after every frame of random traffic with evictions (filter %o)',
    (filter) => {
      const records = new RecordBuffer();
      const select = createVisibleIdsSelector(records);
      let frozenButEvicted = 0;
      play(
        randomFrames(7, 400),
        60,
        (live, step) => {
          // Pause for a while in the middle: the view freezes, updates still apply.
          if (step === 150) pause(live);
          if (step === 250) resume(live);
          if (records.viewIds().some((id) => records.get(id) === undefined)) frozenButEvicted++;
          const rows = select(live.state, filter);
          expect(rows.slice(), `step ${step}`).toEqual(full(live, filter));
        },
        records,
      );
      expect(frozenButEvicted).toBeGreaterThan(0); // the pause outlived some of its rows
    },
  );

  it('indexes newest first like an array', () => {
    const live = liveWith(records);
    const rows = createVisibleIdsSelector(live.records)(live.state, {});
    expect([rows.length, rows.at(0), rows.at(4), rows.at(5), rows.indexOf(2), rows.indexOf(42)]).toEqual([5, 5, 1, undefined, 3, -1]);
    expect(rows.slice(1, 3)).toEqual([4, 3]);
  });
});
