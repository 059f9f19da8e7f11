/**
 * `npm run bench`: runs the benchmarks and prints one table. Every figure that has a target
 * is a ratio measured side by side in the same run, or a latency/memory figure.
 *
 *   node apps/agent/dist-bench/bench/run.js [--quick] [--only b1,b2,b4] [--messages N] [--live-messages N] [--retention N]
 *
 * B2 leaves its store for B4 (and B5 reads the RSS after B2). The NDJSON capture is cached
 * under $OSLOSCOPE_BENCH_DIR (default: <tmp>/osloscope-bench).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCaptureFile } from './capture-file.js';
import { runLiveBench, type LiveResult } from './live-bench.js';
import { runPipelineBench } from './pipeline-bench.js';
import { runQueryBench } from './query-bench.js';
import { slope } from './browser-probe.js';
import { ms, rate, ratio, renderTable, type BenchRow } from './table.js';

/** B1: how many cores the agent, the broker and the bench's own clients kept busy over the run. */
function coresUsed(r: LiveResult): string {
  const cores = (cpuSeconds: number) => (cpuSeconds / r.spanSeconds).toFixed(2);
  const agent = (r.agentCpuMicrosPerMessage * r.published) / 1e6;
  const broker = r.brokerCpuSeconds === null ? 'not found' : cores(r.brokerCpuSeconds);
  return `agent ${cores(agent)}, broker ${broker}, bench clients ${cores(r.benchCpuSeconds)} (of ${os.cpus().length})`;
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'b1,b2,b4' },
    messages: { type: 'string' },
    'live-messages': { type: 'string' },
    retention: { type: 'string' },
  },
});

const only = new Set((values.only ?? '').split(',').map((s) => s.trim().toLowerCase()));
const pipelineN = Number(values.messages ?? (values.quick ? 20_000 : 1_000_000));
const liveN = Number(values['live-messages'] ?? (values.quick ? 2_000 : 20_000));
/** B2/B5 with a retention limit below the message count: memory must stay flat once it is full. */
const retention = values.retention !== undefined ? Number(values.retention) : undefined;
const benchDir = process.env['OSLOSCOPE_BENCH_DIR'] ?? path.join(os.tmpdir(), 'osloscope-bench');
const log = (line: string) => console.error(line);
const rows: BenchRow[] = [];

if (only.has('b1')) {
  log(`B1 live ingest: ${liveN} messages through the local RabbitMQ ...`);
  const r = await runLiveBench({ messages: liveN, log });
  rows.push(
    { bench: 'B1', metric: 'bare amqplib trace consumer', value: rate(r.bareEventsPerSec) + ' events', target: '', met: null },
    { bench: 'B1', metric: 'agent (decode, correlate, store, stream)', value: rate(r.agentMessagesPerSec) + ' msgs', target: '', met: null },
    { bench: 'B1', metric: 'ratio agent / bare (same events)', value: ratio(r.ratio), target: '>= 0.95', met: r.ratio >= 0.95 },
    {
      bench: 'B1',
      metric: 'published / stored / streamed / dropped',
      value: `${r.published} / ${r.stored} / ${r.streamed} / ${r.dropped + r.skipped}`,
      target: 'none lost',
      met: r.stored === r.published && r.streamed === r.published && r.dropped + r.skipped === 0,
    },
    { bench: 'B1', metric: 'agent RSS after run', value: `${Math.round(r.agentRssMb)} MB`, target: '', met: null },
    { bench: 'B1', metric: 'agent CPU per message (both threads)', value: `${Math.round(r.agentCpuMicrosPerMessage)} µs`, target: '', met: null },
    {
      bench: 'B1',
      metric: '  by thread: capture / store writer / GC helpers',
      value: `${Math.round(r.agentCpuMicrosByThread.capture)} / ${Math.round(r.agentCpuMicrosByThread.writer)} / ${Math.round(r.agentCpuMicrosByThread.rest)} µs`,
      target: '',
      met: null,
    },
    { bench: 'B1', metric: 'CPU used over the run (cores)', value: coresUsed(r), target: '', met: null },
    {
      bench: 'B1',
      metric: "agent's capture queue: at publish end / most",
      value: `${r.agentBacklog.atPublishEnd ?? '?'} / ${r.agentBacklog.most ?? '?'} events`,
      target: '',
      met: null,
    },
  );
  if (r.agentThreads) {
    rows.push({
      bench: 'B1',
      metric: 'agent threads: ran / waited for a CPU',
      value: `${r.agentThreads.ran.toFixed(1)} s / ${r.agentThreads.waited.toFixed(1)} s`,
      target: '',
      met: null,
    });
  }
}

if (only.has('b2') || only.has('b4') || only.has('b5')) {
  const t0 = Date.now();
  const file = await ensureCaptureFile(benchDir, pipelineN, 1_700_000_000_000);
  log(`capture ${file} (${Math.round(fs.statSync(file).size / 1e6)} MB) ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const dataDir = path.join(benchDir, retention !== undefined ? `store-${pipelineN}-r${retention}` : `store-${pipelineN}`);
  if (only.has('b2') || !fs.existsSync(dataDir)) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    log(`B2 pipeline: ${pipelineN} messages ...`);
    const r = await runPipelineBench(file, dataDir, pipelineN, { isolated: true, ...(retention !== undefined ? { retention } : {}) });
    const rssMb = r.rssAfterPipelineMb;
    rows.push(
      { bench: 'B2', metric: 'bare: read + JSON.parse line + base64 + double parse', value: rate(r.barePerSec), target: '', met: null },
      { bench: 'B2', metric: 'bare double JSON.parse only (bodies in memory)', value: rate(r.pureParsePerSec), target: '', met: null },
      { bench: 'B2', metric: 'pipeline decode + correlate + store', value: rate(r.pipelinePerSec), target: '>= 100,000/s', met: r.pipelinePerSec >= 100_000 },
      {
        bench: 'B2',
        metric: 'ratio pipeline / bare (wall)',
        value: ratio(r.pipelinePerSec / r.barePerSec),
        target: '>= 0.4',
        met: r.pipelinePerSec / r.barePerSec >= 0.4,
      },
      { bench: 'B2', metric: 'ratio pipeline / bare (CPU seconds)', value: ratio(r.pipelinePerCpuSec / r.barePerCpuSec), target: '', met: null },
      retention === undefined
        ? {
            bench: 'B2',
            metric: 'stored / messages (dropped)',
            value: `${r.stored} / ${r.messages} (${r.dropped})`,
            target: 'all',
            met: r.stored === r.messages,
          }
        : {
            bench: 'B2',
            metric: `stored + evicted / messages (dropped), retention ${retention}`,
            value: `${r.stored} + ${r.evicted} / ${r.messages} (${r.dropped})`,
            target: 'all',
            met: r.stored + r.evicted === r.messages && r.stored <= retention,
          },
      { bench: 'B5', metric: `RSS after ingesting ${pipelineN} (pipeline process)`, value: `${Math.round(rssMb)} MB`, target: '<= 300 MB', met: rssMb <= 300 },
      {
        bench: 'B5',
        metric: 'RSS every tenth of the run (messages=MB)',
        value: r.rssSamples.map(([i, mb]) => `${i / 1000}k=${mb}`).join(' '),
        target: '',
        met: null,
      },
    );
    if (retention !== undefined && retention < pipelineN) {
      // Once retention is full every new message evicts an old one: memory must not keep growing.
      const full = r.rssSamples.filter(([i]) => i >= retention * 1.2).map(([i, mb]) => ({ x: i / 100_000, y: mb }));
      const growth = full.length >= 2 ? slope(full) : Number.NaN;
      rows.push({
        bench: 'B5',
        metric: 'RSS growth once retention is full',
        value: `${growth.toFixed(1)} MB per 100k`,
        target: 'flat (< 5)',
        met: Math.abs(growth) < 5,
      });
    }
  }
  if (only.has('b4')) {
    log(`B4 queries over ${dataDir} ...`);
    const q = runQueryBench(dataDir);
    for (const p of q.pages) {
      rows.push({
        bench: 'B4',
        metric: `first page, filter ${p.name} (${p.items} items, total ${p.total}${p.totalCapped ? '+' : ''})`,
        value: ms(p.ms),
        target: '<= 100 ms',
        met: p.ms <= 100,
      });
    }
    rows.push(
      { bench: 'B4', metric: `flow aggregates (${q.flows} flows, ${q.stored} stored)`, value: ms(q.flowsMs), target: '<= 300 ms', met: q.flowsMs <= 300 },
      { bench: 'B4', metric: 'version aggregates', value: ms(q.versionsMs), target: '<= 300 ms', met: q.versionsMs <= 300 },
    );
  }
}

console.log(renderTable(rows));
