import type { StoreDamage } from '@osloscope/shared';
import { describe, expect, it } from 'vitest';
import { RawDamage, segmentCondition, type RawDamageDeps, type SegmentExtent } from './raw-damage.js';
import type { SegmentStat } from './raw-segments.js';

const extent = (segment: number, end: number, minId = segment * 10, maxId = segment * 10 + 9): SegmentExtent => ({ segment, minId, maxId, end });

/** A raw segment log and store of fakes: segment sizes, extents, and each row's frame end by segment. */
function fakes(opts: { stats: Record<number, SegmentStat>; frameEnds: Record<number, number[]> }) {
  const counted: [number, number][] = [];
  const deps: RawDamageDeps = {
    fileOf: (segment) => ({ path: `/data/raw/${segment}.seg`, name: `raw/${segment}.seg` }),
    stat: (segment) => opts.stats[segment] ?? { missing: true },
    extent: (segment) => (opts.frameEnds[segment] ? extent(segment, Math.max(...opts.frameEnds[segment]!)) : null),
    countBeyond: (e, size) => {
      counted.push([e.segment, size]);
      return (opts.frameEnds[e.segment] ?? []).filter((end) => end > size).length;
    },
  };
  return { deps, counted };
}

describe('segmentCondition', () => {
  it('compares a segment file with the end of the last frame rows refer to in it', () => {
    expect(segmentCondition(extent(1, 100), { size: 100 })).toEqual({ state: 'whole' });
    expect(segmentCondition(extent(1, 100), { size: 4096 })).toEqual({ state: 'whole' }); // a batch never referred to is no loss
    expect(segmentCondition(extent(1, 100), { size: 99 })).toEqual({ state: 'truncated', size: 99, end: 100 });
    expect(segmentCondition(extent(1, 100), { missing: true })).toEqual({ state: 'missing' });
    expect(segmentCondition(extent(1, 100), { cause: 'permission denied' })).toEqual({ state: 'unreadable', cause: 'permission denied' });
  });
});

describe('RawDamage at open', () => {
  it('counts the records of segments cut short or missing, and only looks closer at those', () => {
    const { deps, counted } = fakes({
      stats: { 1: { size: 300 }, 2: { size: 150 }, 4: { cause: 'permission denied' } },
      frameEnds: { 1: [100, 200, 300], 2: [100, 200, 300, 3000], 3: [50], 4: [10, 20] },
    });
    const damage = new RawDamage(deps);
    const reported: StoreDamage[] = [];
    damage.check([extent(1, 300), extent(2, 3000), extent(3, 50), extent(4, 20)], (d) => reported.push(d));
    expect(counted).toEqual([
      [2, 150],
      [3, 0],
      [4, 0],
    ]);
    expect(reported).toEqual([
      { problem: "raw/2.seg is truncated (150 of 3,000 bytes left): 3 records' raw events are missing", records: 3, path: '/data/raw/2.seg' },
      { problem: "raw/3.seg is missing: 1 record's raw event is lost", records: 1, path: '/data/raw/3.seg' },
      { problem: "raw/4.seg cannot be read (permission denied): 2 records' raw events are missing", records: 2, path: '/data/raw/4.seg' },
    ]);
    expect(damage.list()).toEqual(reported);
  });

  it('reports nothing for a missing segment no row refers to any more (its rows were evicted)', () => {
    const { deps } = fakes({ stats: {}, frameEnds: { 1: [] } });
    const damage = new RawDamage(deps);
    const reported: StoreDamage[] = [];
    damage.check([extent(1, 100)], (d) => reported.push(d));
    expect(reported).toEqual([]);
    expect(damage.list()).toEqual([]);
  });
});

describe('RawDamage found by reads', () => {
  it('looks at a segment a read found lost once, and again only when it changed', () => {
    const stats: Record<number, SegmentStat> = { 1: { size: 300 } };
    const { deps, counted } = fakes({ stats, frameEnds: { 1: [100, 200, 300] } });
    const damage = new RawDamage(deps);
    const reported: StoreDamage[] = [];
    damage.check([extent(1, 300)], (d) => reported.push(d));
    stats[1] = { size: 150 };
    damage.noteLoss({ lost: 'truncated', segment: 1 }, 12);
    damage.noteLoss({ lost: 'truncated', segment: 1 }, 12);
    damage.noteLoss({ lost: 'truncated', segment: 1 }, 11);
    expect(counted).toEqual([[1, 150]]);
    stats[1] = { missing: true };
    damage.noteLoss({ lost: 'missing', segment: 1 }, 10);
    expect(counted).toEqual([
      [1, 150],
      [1, 0],
    ]);
    expect(reported.map((d) => d.problem)).toEqual([
      "raw/1.seg is truncated (150 of 300 bytes left): 2 records' raw events are missing",
      "raw/1.seg is missing: 3 records' raw events are lost",
    ]);
    expect(damage.list()).toEqual([reported[1]]);
  });

  it('waits while a statement holds the connection, then counts what it found', () => {
    const stats: Record<number, SegmentStat> = { 1: { size: 10 } };
    const { deps, counted } = fakes({ stats, frameEnds: { 1: [100, 200] } });
    const damage = new RawDamage(deps);
    damage.check([], () => undefined);
    damage.hold();
    damage.noteLoss({ lost: 'truncated', segment: 1 }, 10);
    damage.noteLoss({ lost: 'truncated', segment: 1 }, 11);
    expect(counted).toEqual([]);
    damage.release();
    expect(counted).toEqual([[1, 10]]);
    expect(damage.list().map((d) => d.records)).toEqual([2]);
  });

  it('counts raw events that do not parse or cannot be read one by one, each record once', () => {
    const { deps, counted } = fakes({ stats: { 1: { size: 300 } }, frameEnds: { 1: [100, 200, 300] } });
    const damage = new RawDamage(deps);
    const reported: StoreDamage[] = [];
    damage.check([], (d) => reported.push(d));
    damage.noteLoss({ lost: 'damaged', segment: 1 }, 10);
    damage.noteLoss({ lost: 'damaged', segment: 1 }, 10);
    damage.noteLoss({ lost: 'damaged', segment: 1 }, 11);
    damage.noteLoss({ lost: 'unreadable', segment: 1, cause: 'input/output error' }, 12);
    expect(counted).toEqual([]);
    expect(reported.map((d) => d.records)).toEqual([1, 2, 1]);
    expect(damage.list()).toEqual([
      { problem: "raw/1.seg cannot be read (input/output error): 1 record's raw event is missing", records: 1, path: '/data/raw/1.seg' },
      { problem: "raw/1.seg is damaged: 2 records' raw events are missing", records: 2, path: '/data/raw/1.seg' },
    ]);
  });

  it('forgets a damaged segment once its messages are all evicted', () => {
    const frameEnds: Record<number, number[]> = { 1: [100, 200] };
    const { deps } = fakes({ stats: {}, frameEnds });
    const damage = new RawDamage(deps);
    damage.check([extent(1, 200)], () => undefined);
    expect(damage.list().map((d) => d.records)).toEqual([2]);
    delete frameEnds[1];
    expect(damage.list()).toEqual([]);
  });

  it('ignores a segment no row refers to any more (evicted between the row read and the file read)', () => {
    const { deps, counted } = fakes({ stats: {}, frameEnds: {} });
    const damage = new RawDamage(deps);
    damage.noteLoss({ lost: 'missing', segment: 7 }, 70);
    expect(counted).toEqual([]);
    expect(damage.list()).toEqual([]);
  });
});
