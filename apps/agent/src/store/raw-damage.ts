/**
 * Damage to the raw segment log (raw-segments.ts): segment files missing or cut short (a crash
 * before the disk had them, a full disk, a careless `rm`), unreadable, or holding frames that do
 * not parse. At open each segment that rows refer to is checked by its size against the end of
 * the last frame written into it (the store's `raw_segments`: one row and one stat a segment, no
 * message row or frame is read). While the agent runs, reads that find a raw event lost report
 * it here. Each damage is counted in records and told once it is known or grows: health lists
 * it, `report` (the log) hears of it.
 */
import type { StoreDamage } from '@osloscope/shared';
import type { RawLoss, SegmentStat } from './raw-segments.js';

/** What the store knows of a segment: the ids of the rows written into it and where its last frame ends. */
export interface SegmentExtent {
  segment: number;
  minId: number;
  maxId: number;
  end: number;
}

/** A segment file next to what rows refer to in it. */
export type SegmentCondition =
  { state: 'whole' } | { state: 'missing' } | { state: 'truncated'; size: number; end: number } | { state: 'unreadable'; cause: string };

export function segmentCondition(extent: SegmentExtent, stat: SegmentStat): SegmentCondition {
  if ('missing' in stat) return { state: 'missing' };
  if ('cause' in stat) return { state: 'unreadable', cause: stat.cause };
  return stat.size < extent.end ? { state: 'truncated', size: stat.size, end: extent.end } : { state: 'whole' };
}

const count = (n: number) => n.toLocaleString('en-US');

/** e.g. `13 records' raw events are`; `1 record's raw event is`. */
function rawEventsOf(records: number): string {
  return records === 1 ? "1 record's raw event is" : `${count(records)} records' raw events are`;
}

/** Why one raw event could not be read, e.g. `raw/00000003.seg is truncated` (the detail and the export say this). */
export function lossReason(fileName: string, loss: Pick<RawLoss, 'lost' | 'cause'>): string {
  switch (loss.lost) {
    case 'missing':
      return `${fileName} is missing`;
    case 'truncated':
      return `${fileName} is truncated`;
    case 'unreadable':
      return `${fileName} cannot be read (${loss.cause ?? 'unknown error'})`;
    case 'damaged':
      return `${fileName} is damaged`;
  }
}

/** A whole segment's damage in words, e.g. `raw/00000003.seg is truncated (1,024 of 4,096 bytes left): 13 records' raw events are missing`. */
export function segmentProblem(fileName: string, condition: Exclude<SegmentCondition, { state: 'whole' }>, records: number): string {
  switch (condition.state) {
    case 'missing':
      return `${fileName} is missing: ${rawEventsOf(records)} lost`;
    case 'truncated':
      return `${fileName} is truncated (${count(condition.size)} of ${count(condition.end)} bytes left): ${rawEventsOf(records)} missing`;
    case 'unreadable':
      return `${fileName} cannot be read (${condition.cause}): ${rawEventsOf(records)} missing`;
  }
}

function sameCondition(a: SegmentCondition, b: SegmentCondition): boolean {
  return a.state === b.state && (a.state !== 'truncated' || (b.state === 'truncated' && a.size === b.size));
}

export interface RawDamageDeps {
  /** A segment's file: its path, and its name as people are told it (`raw/00000003.seg`). */
  fileOf(segment: number): { path: string; name: string };
  stat(segment: number): SegmentStat;
  /** The segment's extent now; null when no row refers to it any more (evicted meanwhile). */
  extent(segment: number): SegmentExtent | null;
  /** Rows of the extent whose frame ends past `size` bytes (0: all of them). */
  countBeyond(extent: SegmentExtent, size: number): number;
}

export class RawDamage {
  /** Whole segments found missing, cut short or unreadable. */
  private readonly segments = new Map<number, { condition: SegmentCondition; damage: StoreDamage }>();
  /** Single raw events that could not be read where their segment looks whole, by segment and reason. */
  private readonly events = new Map<string, { path: string; reason: string; ids: Set<number> }>();
  /** Segments a read found lost, not looked at yet (see `hold`). */
  private readonly suspects = new Set<number>();
  private holds = 0;
  private report: (damage: StoreDamage) => void = () => undefined;

  constructor(private readonly deps: RawDamageDeps) {}

  /** Check these segments (at open); `report` hears of each damage found now or later. */
  check(extents: Iterable<SegmentExtent>, report: (damage: StoreDamage) => void): void {
    this.report = report;
    for (const extent of extents) this.look(extent);
  }

  /** A read found the raw event of record `id` lost. */
  noteLoss(loss: RawLoss, id: number): void {
    if (loss.lost === 'missing' || loss.lost === 'truncated') {
      this.suspects.add(loss.segment);
      if (this.holds === 0) this.resolve();
      return;
    }
    // A frame that does not parse or a read that failed: that raw event, not its whole segment.
    const file = this.deps.fileOf(loss.segment);
    const reason = lossReason(file.name, loss);
    const key = `${loss.segment}:${reason}`;
    let entry = this.events.get(key);
    if (!entry) this.events.set(key, (entry = { path: file.path, reason, ids: new Set() }));
    if (entry.ids.has(id)) return;
    entry.ids.add(id);
    this.report(this.eventsDamage(entry));
  }

  /**
   * While a statement iterates, its connection runs no other: segments found lost meanwhile are
   * looked at (counted with a query) on `release`.
   */
  hold(): void {
    this.holds++;
  }

  release(): void {
    if (--this.holds === 0) this.resolve();
  }

  /** Everything found so far, by file; a damaged segment whose messages were all evicted since is no longer a loss. */
  list(): StoreDamage[] {
    if (this.holds === 0) {
      this.resolve();
      for (const segment of [...this.segments.keys()]) if (!this.deps.extent(segment)) this.segments.delete(segment);
    }
    const all = [...[...this.segments.values()].map((s) => s.damage), ...[...this.events.values()].map((e) => this.eventsDamage(e))];
    return all.sort((a, b) => a.path.localeCompare(b.path) || a.problem.localeCompare(b.problem));
  }

  private eventsDamage(entry: { path: string; reason: string; ids: Set<number> }): StoreDamage {
    return { problem: `${entry.reason}: ${rawEventsOf(entry.ids.size)} missing`, records: entry.ids.size, path: entry.path };
  }

  private resolve(): void {
    for (const segment of [...this.suspects]) {
      this.suspects.delete(segment);
      const extent = this.deps.extent(segment);
      if (extent) this.look(extent);
    }
  }

  private look(extent: SegmentExtent): void {
    const condition = segmentCondition(extent, this.deps.stat(extent.segment));
    if (condition.state === 'whole') return;
    const known = this.segments.get(extent.segment);
    if (known && sameCondition(known.condition, condition)) return;
    // No row may refer to the lost part any more (evicted): then nothing is lost.
    const records = this.deps.countBeyond(extent, condition.state === 'truncated' ? condition.size : 0);
    if (records === 0) return;
    const file = this.deps.fileOf(extent.segment);
    const damage: StoreDamage = { problem: segmentProblem(file.name, condition, records), records, path: file.path };
    this.segments.set(extent.segment, { condition, damage });
    this.report(damage);
  }
}
