import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { cpuSecondsByThread, cpuSecondsOf, threadSplitSince, threadTimesOf, threadTimesSince } from './cpu-accounting.js';

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

  it('splits a process CPU into its main thread, its busiest other thread and the rest', async () => {
    const before = cpuSecondsByThread(process.pid);
    // A worker spins 1 s, then idles alive (an ended thread leaves /proc), while this thread
    // spins 100 ms: ten times as long, so a busy machine does not swap the two.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const end = Date.now() + 1000; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);
       parentPort.postMessage(x); setTimeout(() => {}, 10000);`,
      { eval: true },
    );
    spin(100);
    await new Promise((resolve) => worker.once('message', resolve));
    const split = threadSplitSince(process.pid, before, cpuSecondsByThread(process.pid));
    await worker.terminate();
    expect(split.main).toBeGreaterThan(0.02);
    expect(split.busiest).toBeGreaterThan(split.main);
    expect(split.rest).toBeGreaterThanOrEqual(0);
  });
});
