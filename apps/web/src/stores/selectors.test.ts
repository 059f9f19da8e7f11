import { describe, expect, it } from 'vitest';
import { matchesFilter, type EnvelopeFilter } from '@osloscope/shared';
import { makeRecord, makeTarget } from '../test/make-record';
import { play, randomFrames } from '../test/random-traffic';
import { applyLiveEvents, initialLiveState, type LiveState } from './live-store';
import { countFailedSignatures, createVisibleIdsSelector, matchingRecords, moveSelection } from './selectors';

function stateWith(records: ReturnType<typeof makeRecord>[]): LiveState {
  const s = initialLiveState();
  return { ...s, ...applyLiveEvents(s, [{ type: 'batch', batch: { items: records, updates: [], skipped: 0, history: true } }], 1000) };
}

const records = [
  makeRecord(1, { server: 'node-a', method: 'echo' }),
  makeRecord(2, { server: 'node-b', method: 'echo', outcome: { status: 'error', latencyMs: 3, replyId: 7, failure: { class: 'ValueError', module: 'builtins', message: 'bad value' }, heartbeats: 0 } }),
  makeRecord(3, { kind: 'cast', outcome: null, method: 'record_event', server: 'node-a' }),
  makeRecord(4, { target: makeTarget({ namespace: 'admin', version: '2.1' }), method: 'get_stats', server: 'node-b' }),
  makeRecord(5, { kind: 'cast', outcome: null, target: makeTarget({ topic: 'compute', exchange: 'nova' }), method: 'reboot', server: 'cmp-1', signature: { status: 'failed', reason: 'ReplayedNonce' } }),
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
    const select = createVisibleIdsSelector();
    const expected = records.filter((r) => matchesFilter(r, filter)).map((r) => r.id).reverse();
    expect(select(stateWith(records), filter).slice()).toEqual(expected);
  });

  it('filters the concrete cases operators use', () => {
    const select = createVisibleIdsSelector();
    const s = stateWith(records);
    expect(select(s, { server: 'node-a' }).slice()).toEqual([3, 1]);
    expect(select(s, { namespace: 'admin' }).slice()).toEqual([4]);
    expect(select(s, { text: 'bad value' }).slice()).toEqual([2]);
    expect(matchingRecords(s, { kind: 'cast' }).map((r) => r.id)).toEqual([3, 5]);
  });

  it('shows the frozen list while paused, including updates to those rows', () => {
    const select = createVisibleIdsSelector();
    const s = { ...stateWith(records), paused: true, frozenIds: [1, 2] };
    expect(select(s, {}).slice()).toEqual([2, 1]);
  });

  it('returns the same array when nothing changed (no re-render)', () => {
    const select = createVisibleIdsSelector();
    const s = stateWith(records);
    const f = {};
    expect(select(s, f)).toBe(select(s, f));
  });

  it('counts failed signatures in the buffer', () => {
    expect(countFailedSignatures(stateWith(records))).toBe(1);
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
    const select = createVisibleIdsSelector();
    const first = stateWith([makeRecord(1, { outcome: { status: 'pending', latencyMs: null, replyId: null, failure: null, heartbeats: 0 } })]);
    expect(select(first, { outcome: 'error' }).slice()).toEqual([]);
    const failed = makeRecord(1, { outcome: { status: 'error', latencyMs: 5, replyId: 2, failure: { class: 'ValueError', module: 'builtins', message: 'x' }, heartbeats: 0 } });
    const next = { ...first, ...applyLiveEvents(first, [{ type: 'batch', batch: { items: [], updates: [failed], skipped: 0, history: false } }], 1000) };
    expect(select(next, { outcome: 'error' }).slice()).toEqual([1]);
  });
});

describe('visible ids kept incrementally', () => {
  const full = (live: LiveState, filter: EnvelopeFilter): number[] =>
    (live.frozenIds ?? live.ids).filter((id) => {
      const rec = live.byId.get(id);
      return rec !== undefined && matchesFilter(rec, filter);
    }).reverse();

  it.each([{}, { topic: 'compute' }, { outcome: 'error' as const }, { signature: 'failed' as const }])(
    'gives the full computation after every frame of random traffic with evictions (filter %o)',
    (filter) => {
      const select = createVisibleIdsSelector();
      play(randomFrames(7, 400), 60, (live, step) => {
        // Pause for a while in the middle: the view freezes, updates still apply.
        if (step === 150) Object.assign(live, { paused: true, frozenIds: live.ids.slice() });
        if (step === 250) Object.assign(live, { paused: false, frozenIds: null });
        const rows = select(live, filter);
        expect(rows.slice(), `step ${step}`).toEqual(full(live, filter));
      });
    },
  );

  it('indexes newest first like an array', () => {
    const select = createVisibleIdsSelector();
    const rows = select(stateWith(records), {});
    expect([rows.length, rows.at(0), rows.at(4), rows.at(5), rows.indexOf(2), rows.indexOf(42)]).toEqual([5, 5, 1, undefined, 3, -1]);
    expect(rows.slice(1, 3)).toEqual([4, 3]);
  });
});
