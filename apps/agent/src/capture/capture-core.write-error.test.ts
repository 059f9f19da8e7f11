/**
 * The capture core on a store that cannot write (disk full): health says why from the first
 * failed write, capture asks for no more (sources hold their acks), the log says it once and
 * once more when it recovers, and a close that cannot write says how many messages it lost.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaptureStore } from '../store/capture-store.js';
import { fixtureRaws, openTestCore, tempDataDir } from '../../test/support/capture-fixtures.js';
import { loggerFrom } from '../../test/support/loggers.js';

const T0 = 1_795_973_550_000;

/** applyBatch refuses while `disk.full`, as SQLite does on a full disk. */
function fillableDisk() {
  const disk = { full: false };
  const apply = CaptureStore.prototype.applyBatch;
  vi.spyOn(CaptureStore.prototype, 'applyBatch').mockImplementation(function (this: CaptureStore, ...args) {
    if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL', path: '/data/capture.sqlite' });
    return apply.apply(this, args);
  });
  return disk;
}

function openCore(dataDir: string, maxWriteQueue?: number) {
  const lines: string[] = [];
  const log = loggerFrom((level, msg, fields) => void lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`));
  // Unit tests write the store inline (no compiled writer thread script).
  const core = openTestCore({ now: () => T0 + 1000, dataDir, log, ...(maxWriteQueue !== undefined ? { maxWriteQueue } : {}) });
  return { core, lines };
}

afterEach(() => vi.restoreAllMocks());

describe('a capture whose store cannot write', () => {
  it('says why in health from the first failed write, takes no more, logs it once, and recovers by itself', () => {
    const disk = fillableDisk();
    const { core, lines } = openCore(tempDataDir());
    expect(core.storeHealth().writeError).toBeNull();
    expect(core.acceptsMore()).toBe(true);

    disk.full = true;
    const raws = fixtureRaws(T0);
    for (const raw of raws.slice(0, 10)) core.ingest(raw);
    const before = Date.now();
    core.flush();
    const health = core.storeHealth();
    expect(health.writeError).toEqual({ message: 'no space left on device', path: '/data/capture.sqlite', since: expect.any(Number) });
    expect(health.writeError!.since).toBeGreaterThanOrEqual(before);
    expect(health.unwritten).toBeGreaterThan(0);
    expect(core.acceptsMore()).toBe(false);
    for (const raw of raws.slice(10)) core.ingest(raw);
    core.flush();
    expect(lines.filter((l) => l.startsWith('error capture store cannot write: no space left on device: /data/capture.sqlite'))).toHaveLength(1);
    expect(lines[0]).toContain('SQLITE_FULL: database or disk is full');

    disk.full = false;
    core.flush();
    expect(core.storeHealth()).toMatchObject({ writeError: null, unwritten: 0 });
    expect(core.acceptsMore()).toBe(true);
    expect(core.counts()).toMatchObject({ captured: 26, stored: 26, dropped: 0 });
    expect(lines.filter((l) => l.startsWith('info capture store writes again'))).toHaveLength(1);
    core.close();
  });

  it('drops past the write queue limit and marks one gap that says why and how many', () => {
    const disk = fillableDisk();
    const { core } = openCore(tempDataDir(), 5);
    disk.full = true;
    const raws = fixtureRaws(T0).filter((r) => r.routingKey.startsWith('publish.'));
    for (const raw of raws.slice(0, 5)) core.ingest(raw);
    core.flush();
    for (const raw of raws.slice(5, 12)) core.ingest(raw);
    expect(core.counts()).toMatchObject({ captured: 5, dropped: 7 });
    disk.full = false;
    core.flush();
    expect(core.gaps()).toEqual([
      {
        source: raws[5]!.source,
        from: raws[5]!.receivedAt,
        to: raws[11]!.receivedAt,
        reason: 'capture store cannot write (no space left on device): 7 messages dropped',
      },
    ]);
    core.close();
  });

  it('says on close how many captured messages it could not write, and counts them as dropped', () => {
    const disk = fillableDisk();
    const dataDir = tempDataDir();
    const { core, lines } = openCore(dataDir);
    for (const raw of fixtureRaws(T0).slice(0, 6)) core.ingest(raw);
    core.flush();
    disk.full = true;
    for (const raw of fixtureRaws(T0).slice(6)) core.ingest(raw);
    core.flush();
    const unwritten = core.storeHealth().unwritten;
    expect(unwritten).toBeGreaterThan(0);
    core.close();
    expect(lines.filter((l) => l.startsWith(`error could not write ${unwritten} captured messages: no space left on device`))).toHaveLength(1);

    disk.full = false;
    const { core: reopened } = openCore(dataDir);
    expect(reopened.counts()).toMatchObject({ captured: 26 - unwritten, dropped: unwritten, stored: 26 - unwritten });
    reopened.close();
  });
});
