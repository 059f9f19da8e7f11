/**
 * Child processes for tests: line-by-line output capture, waiting for a matching line,
 * and stopping a whole process group (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A spawned process whose stdout/stderr lines are collected as they arrive. */
export interface LineProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (`null` when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `test` (already seen lines count). */
  waitForLine(test: (line: string) => boolean, timeoutMs: number, what: string): Promise<string>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL to the process group at once (no cleanup, as `kill -9`). Resolves once it is gone. */
  kill(): Promise<void>;
}

type Waiter = { test: (line: string) => boolean; resolve: (line: string) => void };

/**
 * Spawns `command` in its own process group (so stop() also ends its children, e.g. the
 * scenario's two RPC servers) and collects output lines.
 */
export function spawnLines(command: string, args: string[], options: SpawnOptions = {}): LineProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let waiters: Waiter[] = [];
  let exitCode: number | null | undefined;
  const exitListeners: Array<() => void> = [];

  // Resolve on 'close', after both pipes are drained, so no line is lost.
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      exitCode = code;
      resolve(code);
      for (const l of exitListeners.splice(0)) l();
    });
  });
  exited.catch(() => undefined);

  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout.push(line);
      const matched = waiters.filter((w) => w.test(line));
      waiters = waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(line);
    });
  }
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));

  const tail = (lines: string[]) => lines.slice(-20).join('\n');

  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLine(test, timeoutMs, what) {
      const seen = stdout.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`${why} waiting for ${what}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`));
        };
        const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
        const waiter: Waiter = {
          test,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        if (exitCode !== undefined) fail(`process exited (${exitCode})`);
        else exitListeners.push(() => fail(`process exited (${exitCode})`));
      });
    },
    async stop(graceMs = 5_000) {
      if (exitCode !== undefined) return exitCode;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (exitCode !== undefined) return;
      killGroup(child, 'SIGKILL');
      await exited;
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Parses the JSON-object lines of `lines`, skipping anything else. */
export function parseJsonLines<T>(lines: readonly string[]): T[] {
  const out: T[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as T);
    } catch {
      // Not JSON after all (e.g. a stray log line): skip it.
    }
  }
  return out;
}
