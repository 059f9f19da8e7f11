/**
 * Smoke runs of the benchmarks with small N (the full runs are `npm run bench`, not CI):
 * they must run end to end and lose nothing. Needs the built agent (`npx tsc -b`) and the
 * local RabbitMQ with the management plugin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCaptureFile } from '../../bench/capture-file.js';
import { runLiveBench } from '../../bench/live-bench.js';
import { runPipelineBench } from '../../bench/pipeline-bench.js';
import { QUERY_FILTERS, runQueryBench } from '../../bench/query-bench.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-bench-smoke-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('benchmarks (smoke)', () => {
  it('B2 stores every message of the capture and B4 finds them through each filter', async () => {
    const n = 600;
    const file = await ensureCaptureFile(dir, n, 1_700_000_000_000);
    const r = await runPipelineBench(file, path.join(dir, 'store'), n);
    expect(r.messages).toBe(n);
    expect(r.stored).toBe(n);
    expect(r.dropped).toBe(0);
    expect(r.decodeErrors).toBe(0);
    expect(r.pipelinePerSec).toBeGreaterThan(0);
    expect(r.barePerSec).toBeGreaterThan(0);

    const q = runQueryBench(path.join(dir, 'store'));
    expect(q.stored).toBe(n);
    expect(q.pages.map((p) => p.name)).toEqual(QUERY_FILTERS.map(([name]) => name));
    // Every filter the bench times finds something in the workload: a timing of an empty answer means nothing.
    for (const p of q.pages) expect(p.items, p.name).toBeGreaterThan(0);
    expect(q.flows).toBeGreaterThan(0);
  });

  it('B1 ingests live traffic from RabbitMQ and streams every message to the client', async () => {
    const r = await runLiveBench({ messages: 200 });
    expect(r.stored).toBe(200);
    expect(r.streamed).toBe(200);
    expect(r.dropped + r.skipped).toBe(0);
    // 200 messages: publishes plus at least one delivery each (consumers on every queue).
    expect(r.traceEvents).toBeGreaterThanOrEqual(400);
    expect(r.ratio).toBeGreaterThan(0);
    // The agent's own CPU per message was read from /proc (NaN when it never was).
    expect(Number.isFinite(r.agentCpuMicrosPerMessage)).toBe(true);
    expect(r.agentCpuMicrosPerMessage).toBeGreaterThan(0);
    // Where the CPU went: the local broker was found and used some, the agent's threads ran.
    expect(r.brokerCpuSeconds).not.toBeNull();
    expect(r.brokerCpuSeconds!).toBeGreaterThan(0);
    expect(r.benchCpuSeconds).toBeGreaterThan(0);
    expect(r.agentThreads?.ran ?? 0).toBeGreaterThan(0);
    // Split by thread: the capture thread and the store writer both worked.
    expect(r.agentCpuMicrosByThread.capture).toBeGreaterThan(0);
    expect(r.agentCpuMicrosByThread.writer).toBeGreaterThan(0);
    expect(r.spanSeconds).toBeGreaterThan(0);
  });
});
