import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, threadTimesOf, threadTimesSince } from './cpu-accounting.js';

function spin(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
}

describe('cpu accounting from /proc', () => {
  it('counts the CPU a process spends', () => {
    const before = cpuSecondsOf(process.pid);
    spin(300);
    const used = cpuSecondsOf(process.pid) - before;
    // Ticks are 10 ms; a loaded machine may run this thread for less than the wall time.
    expect(used).toBeGreaterThan(0.05);
    expect(used).toBeLessThan(5);
  });

  it("sums the threads' run and run-queue wait times", () => {
    const before = threadTimesOf(process.pid);
    if (before === null) return; // a kernel without schedstats: the bench leaves the line out
    spin(300);
    const since = threadTimesSince(before, threadTimesOf(process.pid));
    expect(since!.ran).toBeGreaterThan(0.05);
    expect(since!.waited).toBeGreaterThanOrEqual(0);
  });

  it('answers NaN or null for a process that is gone, without throwing', () => {
    const gone = 2 ** 22 + 12345; // above Linux's pid_max
    expect(cpuSecondsOf(gone)).toBeNaN();
    expect(threadTimesOf(gone)).toBeNull();
    expect(threadTimesSince(null, { ran: 1, waited: 1 })).toBeNull();
  });
});
