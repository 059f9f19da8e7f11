/**
 * A full disk under the agent's --data-dir, for real: the built agent writes its store to a
 * small tmpfs this test mounts, captures a burst of oslo-shaped traffic from the real broker,
 * and runs out of space. Health must say so at the first failed write, the capture must leave
 * what it cannot hold in its queue on the broker (not in memory) and keep answering; once space
 * returns everything the broker still held is stored. A SIGTERM while the disk is full says how
 * many captured messages could not be written. Mounting needs root: skipped otherwise.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import type { HealthReport } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workload, workloadBindings, workloadQueues } from '../../bench/workload.js';
import { createTestVhost, startAgent, toPublishOptions, waitUntil, type RunningAgent, type TestVhost } from '../support/index.js';

const run = promisify(execFile);
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT) console.warn('store-disk-full.test.ts is skipped: mounting a tmpfs for the data dir needs root');

/** Messages of the burst: at ~8 KB of store each, forty times what 5 MB holds. */
const BURST = 20_000;
/** What the agent may hold unwritten while the disk is full: far below the burst (the rest waits in the broker). */
const MOST_UNWRITTEN = 8_000;
/** The agent's RSS while the disk is full (the issue saw 1.25 GB; 450–600 MB before the fix here). */
const MOST_RSS_MB = 300;
/** Health answers while the disk is full (the issue saw none for ~50 s). */
const MOST_HEALTH_MS = 1_000;
/**
 * And throughout, bursts included: while the writer is behind, the capture thread waits for it
 * (at four batches in flight) and answers late; 0.5–0.95 s measured here before and after the fix.
 */
const MOST_HEALTH_IN_BURST_MS = 3_000;

/** A tmpfs of `sizeMiB` mounted on a fresh directory. */
async function mountTmpfs(sizeMiB: number): Promise<{ dir: string; resize(sizeMiB: number): Promise<void>; unmount(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'osloscope-it-disk-full-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  return {
    dir,
    resize: async (size) => void (await run('mount', ['-o', `remount,size=${size}m`, dir])),
    unmount: async () => {
      await run('umount', [dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A process's resident memory in MiB (/proc). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** User + system CPU seconds of a process, all threads (/proc; clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Publishes `count` workload messages into its queues (no consumers: one firehose event each); resolves once the broker confirmed them. */
async function publishBurst(amqpUrl: string, count: number): Promise<void> {
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    for (const q of workloadQueues()) await ch.assertQueue(q, { durable: false, autoDelete: false });
    for (const [exchange, type, q, key] of workloadBindings()) {
      await ch.assertExchange(exchange, type, { durable: false });
      await ch.bindQueue(q, exchange, key);
    }
    const messages = workload(26);
    for (let i = 0; i < count; i++) {
      const m = messages.next().value!;
      if (!ch.publish(m.exchange, m.routingKey, Buffer.from(m.body), toPublishOptions(m.properties))) await new Promise((r) => ch.once('drain', r));
      // Let this process's health watch run meanwhile (a loop that never yields delays its answers).
      else if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Polls /api/health every 250 ms: how long each answer took, and when it was asked. */
function watchHealth(baseUrl: string): { slowest(since?: number, until?: number): number; readonly failures: string[]; stop(): void } {
  const answers: Array<{ at: number; ms: number }> = [];
  const failures: string[] = [];
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const at = Date.now();
      try {
        await (await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) })).json();
      } catch (e) {
        failures.push(String(e));
      }
      answers.push({ at, ms: Date.now() - at });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    slowest: (since = 0, until = Infinity) => Math.max(0, ...answers.filter((a) => a.at >= since && a.at <= until).map((a) => a.ms)),
    failures,
    stop: () => void (stopped = true),
  };
}

async function health(agent: RunningAgent): Promise<HealthReport> {
  return (await (await fetch(`${agent.baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) })).json()) as HealthReport;
}

/** An agent capturing the vhost's firehose into `dataDir`. */
async function capturingAgent(vhost: TestVhost, dataDir: string): Promise<RunningAgent> {
  const agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback', '--data-dir', dataDir] });
  await waitUntil('the agent to capture with tracing on', async () => {
    const src = (await health(agent)).sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
  });
  return agent;
}

const writeErrorLines = (agent: RunningAgent) => agent.stderr.filter((l) => /capture store cannot write/.test(l));

describe.skipIf(!IS_ROOT)('a full disk under the data dir (tmpfs, needs root)', () => {
  let vhost: TestVhost;
  const mounts: Array<{ unmount(): Promise<void> }> = [];
  const agents: RunningAgent[] = [];
  beforeAll(async () => {
    vhost = await createTestVhost('disk-full');
  });
  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    for (const mount of mounts) await mount.unmount();
    await vhost?.cleanup();
  });

  it('says so at the first failed write, leaves the burst in the broker, stays responsive, and stores everything once space returns', async () => {
    const disk = await mountTmpfs(5);
    mounts.push(disk);
    const agent = await capturingAgent(vhost, disk.dir);
    agents.push(agent);
    const pid = agent.process.child.pid!;
    const watch = watchHealth(agent.baseUrl);
    try {
      const publishing = publishBurst(vhost.amqpUrl, BURST);

      // The first failed write: degraded, with the reason and the file, logged once.
      const failing = await waitUntil('health to report the write error', async () => {
        const h = await health(agent);
        return h.store.writeError ? h : null;
      });
      expect(failing.status).toBe('degraded');
      expect(failing.store.writeError).toMatchObject({ message: 'no space left on device' });
      expect(failing.store.writeError!.path).toMatch(new RegExp(`^${disk.dir}/`));
      await publishing;

      // While full: what the agent holds stays bounded, the rest waits in the broker, the CPU rests.
      const cpu0 = await cpuSeconds(pid);
      const t0 = Date.now();
      let mostRss = 0;
      let mostUnwritten = 0;
      while (Date.now() - t0 < 6_000) {
        const h = await health(agent);
        expect(h.store.writeError).not.toBeNull();
        mostRss = Math.max(mostRss, await rssMiB(pid));
        mostUnwritten = Math.max(mostUnwritten, h.store.unwritten);
        await new Promise((r) => setTimeout(r, 500));
      }
      const cores = ((await cpuSeconds(pid)) - cpu0) / ((Date.now() - t0) / 1000);
      const full = await health(agent);
      const slowestWhileFull = watch.slowest(t0);
      console.info(
        `disk full: stored ${full.counts.stored}, unwritten at most ${mostUnwritten}, in the broker ${full.sources[0]?.backlog}, ` +
          `RSS at most ${mostRss.toFixed(0)} MB, CPU ${cores.toFixed(2)} cores, slowest health ${slowestWhileFull} ms (${watch.slowest()} ms with the burst)`,
      );
      expect(mostUnwritten).toBeLessThanOrEqual(MOST_UNWRITTEN);
      expect(full.sources[0]?.backlog).toBeGreaterThan(BURST - full.counts.captured - full.counts.dropped - 2_500);
      expect(mostRss).toBeLessThanOrEqual(MOST_RSS_MB);
      expect(cores).toBeLessThan(0.25);
      expect(slowestWhileFull).toBeLessThan(MOST_HEALTH_MS);
      expect(writeErrorLines(agent), agent.stderr.join('\n')).toHaveLength(1);
      expect(writeErrorLines(agent)[0]).toContain(`no space left on device: ${disk.dir}/`);

      // Space returns: writes resume by themselves, the backlog drains, nothing is lost.
      await disk.resize(256);
      const recovered = await waitUntil(
        'the whole burst stored',
        async () => {
          const h = await health(agent);
          return h.store.writeError === null && h.store.unwritten === 0 && h.counts.captured + h.counts.dropped >= BURST && h.sources[0]?.backlog === 0
            ? h
            : null;
        },
        120_000,
        500,
      );
      console.info(`recovered: ${JSON.stringify(recovered.counts)}, slowest health ${watch.slowest()} ms`);
      expect(recovered.status).toBe('ok');
      expect(recovered.counts.captured + recovered.counts.dropped).toBe(BURST);
      expect(recovered.counts.dropped).toBe(0);
      expect(recovered.counts.stored).toBe(recovered.counts.captured);
      expect(agent.stderr.filter((l) => /capture store writes again/.test(l))).toHaveLength(1);
      expect(watch.failures).toEqual([]);
      expect(watch.slowest()).toBeLessThan(MOST_HEALTH_IN_BURST_MS);
    } finally {
      watch.stop();
      agents.splice(agents.indexOf(agent), 1);
      await agent.stop();
    }
  }, 240_000);

  it('says on SIGTERM how many captured messages it could not write', async () => {
    const disk = await mountTmpfs(5);
    mounts.push(disk);
    const agent = await capturingAgent(vhost, disk.dir);
    agents.push(agent);
    await publishBurst(vhost.amqpUrl, 5_000);
    const full = await waitUntil('the disk full and the capture holding still', async () => {
      const a = await health(agent);
      await new Promise((r) => setTimeout(r, 1_000));
      const b = await health(agent);
      return a.store.writeError && b.store.unwritten > 0 && b.store.unwritten === a.store.unwritten ? b : null;
    });

    agents.splice(agents.indexOf(agent), 1);
    expect(await agent.stop()).toBe(0);
    const line = agent.stderr.find((l) => /could not write [\d,]+ captured messages/.test(l));
    expect(line, agent.stderr.slice(-10).join('\n')).toBeDefined();
    expect(line).toContain(`could not write ${full.store.unwritten.toLocaleString('en-US')} captured messages: no space left on device`);
  }, 120_000);
});
