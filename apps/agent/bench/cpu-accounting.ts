/**
 * Where the machine's CPU went during a live benchmark, from /proc (Linux): a process's CPU
 * time, and how long its threads were ready to run but waited for a CPU (the scheduler's
 * run-queue delay). B1 runs the broker, the bench's own clients and the agent on the same two
 * cores: when the agent's threads wait for a CPU longer than they run, its ratio measures its
 * share of the machine as much as its own speed.
 */
import fs from 'node:fs';

/** USER_HZ on Linux: the unit of the CPU times in /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) a process has used; NaN when it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start past its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

export interface ThreadTimes {
  /** Seconds the process's live threads ran on a CPU. */
  ran: number;
  /** Seconds they were runnable but waited for a CPU. */
  waited: number;
}

/**
 * Run and run-queue wait time summed over a process's live threads (`/proc/<pid>/task/<tid>/schedstat`:
 * ns on a CPU, ns waiting on a run queue, time slices). Threads that already exited are not
 * counted. Null where the kernel does not keep schedstats.
 */
export function threadTimesOf(pid: number): ThreadTimes | null {
  try {
    let ran = 0;
    let waited = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      let text: string;
      try {
        text = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
      } catch {
        continue; // the thread exited meanwhile
      }
      const [onCpu, onQueue] = text.trim().split(' ').map(Number);
      if (onCpu === undefined || onQueue === undefined || Number.isNaN(onCpu) || Number.isNaN(onQueue)) return null;
      ran += onCpu / 1e9;
      waited += onQueue / 1e9;
    }
    return { ran, waited };
  } catch {
    return null;
  }
}

/** Seconds each live thread of a process has run on a CPU, by thread id (schedstat: ns, finer than stat's ticks). */
export function cpuSecondsByThread(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const onCpu = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (!Number.isNaN(onCpu)) out.set(Number(tid), onCpu / 1e9);
    } catch {
      // the thread exited meanwhile
    }
  }
  return out;
}

/**
 * A process's CPU between two cpuSecondsByThread readings, split as the agent's threads are: its
 * main thread (tid = pid), the busiest other thread (the store writer, in a capture process), and
 * all the rest (V8's GC helpers, libuv's pool).
 */
export function threadSplitSince(pid: number, before: Map<number, number>, after: Map<number, number>): { main: number; busiest: number; rest: number } {
  let main = 0;
  const others: number[] = [];
  for (const [tid, seconds] of after) {
    const used = seconds - (before.get(tid) ?? 0);
    if (tid === pid) main = used;
    else others.push(used);
  }
  others.sort((a, b) => b - a);
  const busiest = others[0] ?? 0;
  return { main, busiest, rest: others.slice(1).reduce((a, b) => a + b, 0) };
}

/** The difference of two readings (null when either is missing). */
export function threadTimesSince(before: ThreadTimes | null, after: ThreadTimes | null): ThreadTimes | null {
  return before && after ? { ran: after.ran - before.ran, waited: after.waited - before.waited } : null;
}

/**
 * The local RabbitMQ's Erlang VM (`beam.smp` running the `rabbit` application), so its CPU over
 * a run can be read; null when there is none on this machine (or several: then which is ours
 * cannot be told).
 */
export function localBrokerPid(): number | null {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'beam.smp') continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('rabbit')) found.push(Number(entry));
    } catch {
      // a process that exited while the list was read
    }
  }
  return found.length === 1 ? found[0]! : null;
}
