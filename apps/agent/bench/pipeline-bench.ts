/**
 * B2 pipeline throughput: decode + correlate + store of an NDJSON capture in this process,
 * against a bare double JSON.parse of the same bodies read from the same file in the same run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createConnectionDirectory } from '../src/domain/in-memory-connection-directory.js';
import type { ConnectionDirectory } from '../src/ports/connection-directory.js';
import { createCaptureCore, type CaptureCore } from '../src/capture/capture-core.js';
import { AGENT_NODE_FLAGS } from '../src/heap-tuning.js';
import { readLines } from './capture-file.js';
import { workloadConsumers } from './workload.js';

export interface PipelineResult {
  messages: number;
  pipelineSeconds: number;
  /** Envelopes per second through decode + correlate + store (the agent's import path). */
  pipelinePerSec: number;
  /** Per second: read line, JSON.parse it, base64 → bytes, JSON.parse body, JSON.parse `oslo.message`. */
  barePerSec: number;
  /** The same two rates per CPU-second of this process: steadier than wall time on a shared machine. */
  pipelinePerCpuSec: number;
  barePerCpuSec: number;
  /** Per second: only the double JSON.parse of bodies already in memory (a 20k-body sample). */
  pureParsePerSec: number;
  stored: number;
  evicted: number;
  dropped: number;
  decodeErrors: number;
  rssSamples: [number, number][];
  /** RSS of the process that ran the pipeline, right after it stored everything (B5). */
  rssAfterPipelineMb: number;
}

/** Seconds since `t0` (from process.hrtime.bigint()). */
export function secondsSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** User + system CPU seconds of this process since `c0`. */
export function cpuSecondsSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
}

function doubleParse(body: Buffer): unknown {
  const outer = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const inner = outer['oslo.message'];
  return typeof inner === 'string' ? JSON.parse(inner) : outer;
}

/** The bare baseline over the same file; keeps a sample of bodies for the pure-parse rate. */
async function bareRate(file: string, sample: Buffer[]): Promise<{ perSec: number; perCpuSec: number; n: number }> {
  let n = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for await (const line of readLines(file)) {
    const parsed = JSON.parse(line) as { raw: { bodyBase64: string } };
    const body = Buffer.from(parsed.raw.bodyBase64, 'base64');
    if (sample.length < 20_000) sample.push(body);
    if (doubleParse(body) !== null) sink++;
    n++;
  }
  const s = secondsSince(t0);
  const cpu = cpuSecondsSince(c0);
  if (sink < 0) console.log(sink); // keeps the parse results observable
  return { perSec: n / s, perCpuSec: n / cpu, n };
}

function pureParseRate(sample: Buffer[]): number {
  let n = 0;
  const t0 = process.hrtime.bigint();
  for (let round = 0; round < 5; round++) for (const b of sample) if (doubleParse(b) !== null) n++;
  return n / secondsSince(t0);
}

/** A connection directory that knows the workload's consumers (as the agent learns them from the management API). */
export function openBenchDirectory(): ConnectionDirectory {
  const directory = createConnectionDirectory();
  directory.updateFromManagement('import', { processes: {}, consumers: workloadConsumers() });
  return directory;
}

/** Open a capture core the way the agent runs it, with the workload's consumers known. */
export function openBenchCore(dataDir: string, maxMessages: number, maxBytes = 64 * 1024 ** 3): CaptureCore {
  return createCaptureCore({ dataDir, retention: { maxMessages, maxBytes }, showSecrets: false, directory: openBenchDirectory(), timers: false });
}

/** What the pipeline pass measured, in whichever process ran it. */
export interface PipelinePass {
  imported: number;
  seconds: number;
  /** CPU seconds of the process that ran it (capture and store writer threads). */
  cpuSeconds: number;
  stored: number;
  evicted: number;
  dropped: number;
  decodeErrors: number;
  rssMb: number;
  /** [lines imported, RSS MB] every tenth of the run: is memory flat once retention is full? */
  rssSamples: [number, number][];
}

/**
 * The pipeline alone: import `file` into a fresh core in `dataDir`, flushed, in this process.
 * `retention` is the core's message limit (default: room for all).
 */
export async function runPipelinePass(file: string, dataDir: string, n: number, retention = n * 2): Promise<PipelinePass> {
  const core = openBenchCore(dataDir, retention);
  const rssSamples: [number, number][] = [];
  const every = Math.max(1, Math.floor(n / 10));
  async function* sampled(): AsyncGenerator<string> {
    let i = 0;
    for await (const line of readLines(file)) {
      yield line;
      if (++i % every === 0) rssSamples.push([i, Math.round(process.memoryUsage().rss / 1024 ** 2)]);
    }
  }
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const result = await core.importNdjson(sampled());
  core.flush();
  const seconds = secondsSince(t0);
  const cpuSeconds = cpuSecondsSince(c0);
  const counts = core.counts();
  const rssMb = process.memoryUsage().rss / 1024 ** 2;
  core.close();
  return {
    imported: result.imported,
    seconds,
    cpuSeconds,
    stored: counts.stored,
    evicted: counts.evicted,
    dropped: counts.dropped,
    decodeErrors: counts.decodeErrors,
    rssMb,
    rssSamples,
  };
}

/** The pipeline pass in a fresh Node process (pipeline-child.js), as the agent would run it: its RSS is the pipeline's alone. */
async function runPipelineChild(file: string, dataDir: string, n: number, retention: number): Promise<PipelinePass> {
  const child = spawn(
    process.execPath,
    [...AGENT_NODE_FLAGS, fileURLToPath(new URL('./pipeline-child.js', import.meta.url)), file, dataDir, String(n), String(retention)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`pipeline child exited with ${code}`);
  return JSON.parse(out) as PipelinePass;
}

/**
 * Run B2 over `file` (n lines), storing into `dataDir` (left there for B4). `isolated` runs the
 * pipeline pass in a child process (needs the compiled bench): the bare passes of this process
 * then do not inflate B5, and the pipeline gets the process the agent would have.
 */
export async function runPipelineBench(
  file: string,
  dataDir: string,
  n: number,
  opts: { isolated?: boolean; retention?: number } = {},
): Promise<PipelineResult> {
  const retention = opts.retention ?? n * 2;
  // Bare first also warms the page cache for the pipeline pass: both read the file from memory.
  const bare = await bareRate(file, []);
  const pass = opts.isolated ? await runPipelineChild(file, dataDir, n, retention) : await runPipelinePass(file, dataDir, n, retention);
  // Bare again after: the mean of both sides the pipeline run cancels slow drift of the machine.
  const sample: Buffer[] = [];
  const bareAfter = await bareRate(file, sample);
  return {
    messages: pass.imported,
    pipelineSeconds: pass.seconds,
    pipelinePerSec: pass.imported / pass.seconds,
    barePerSec: (bare.perSec + bareAfter.perSec) / 2,
    pipelinePerCpuSec: pass.imported / pass.cpuSeconds,
    barePerCpuSec: (bare.perCpuSec + bareAfter.perCpuSec) / 2,
    pureParsePerSec: pureParseRate(sample),
    stored: pass.stored,
    evicted: pass.evicted,
    dropped: pass.dropped,
    decodeErrors: pass.decodeErrors,
    rssAfterPipelineMb: pass.rssMb,
    rssSamples: pass.rssSamples,
  };
}
