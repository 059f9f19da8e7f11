/**
 * Deliveries that come long after their publish: what the agent pays when consumers lag (a
 * queue backs up, the case an operator debugs) and each deliver event finds its record no longer
 * in memory, so it is read back from the store. N workload messages are published and written,
 * then their deliver events arrive in the same order.
 *   node apps/agent/dist-bench/bench/late-delivery-bench.js [--messages 30000]
 * Compare builds by running each build's copy of this file in turn (docs/performance.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RawCapture } from '../src/ports/raw-capture.js';
import { createCaptureCore } from '../src/capture/capture-core.js';
import { createConnectionDirectory } from '../src/domain/in-memory-connection-directory.js';
import { tuneHeapForCapture } from '../src/heap-tuning.js';
import { cpuSecondsByThread, threadSplitSince } from './cpu-accounting.js';
import { cpuSecondsSince, secondsSince } from './pipeline-bench.js';
import { traceHeaders, workload, workloadConsumers, type WorkloadMessage } from './workload.js';

function traceEvent(msg: WorkloadMessage, delivery: number | null, at: number): RawCapture {
  return {
    source: 'bench',
    receivedAt: at,
    origin: 'firehose',
    exchange: 'amq.rabbitmq.trace',
    routingKey: delivery === null ? `publish.${msg.exchange}` : `deliver.${msg.queues[delivery] ?? ''}`,
    headers: traceHeaders(msg, delivery),
    properties: {},
    body: msg.body,
  };
}

tuneHeapForCapture();
const { values } = parseArgs({ options: { messages: { type: 'string', default: '30000' } } });
const n = Number(values.messages);
const messages: WorkloadMessage[] = [];
const gen = workload();
for (let i = 0; i < n; i++) messages.push(gen.next().value as WorkloadMessage);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-late-delivery-'));
const directory = createConnectionDirectory();
directory.updateFromManagement('bench', { processes: {}, consumers: workloadConsumers() });
const core = createCaptureCore({ dataDir, retention: { maxMessages: 10_000_000, maxBytes: 1e12 }, showSecrets: false, directory, timers: false });
let streamed = 0;
core.subscribe({ onRecord: (_r, isNew) => void (isNew ? 0 : streamed++) });
try {
  let at = 1_700_000_000_000;
  for (const m of messages) core.ingest(traceEvent(m, null, at++));
  core.flush();
  let deliveries = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const threads0 = cpuSecondsByThread(process.pid);
  for (const m of messages) {
    for (let d = 0; d < m.queues.length; d++) {
      core.ingest(traceEvent(m, d, at++));
      deliveries++;
    }
  }
  core.flush();
  const s = secondsSince(t0);
  const cpu = cpuSecondsSince(c0);
  const split = threadSplitSince(process.pid, threads0, cpuSecondsByThread(process.pid));
  const us = (seconds: number) => ((seconds / deliveries) * 1e6).toFixed(1);
  console.log(
    `late deliveries: ${deliveries} of ${n} messages in ${s.toFixed(2)} s: ${Math.round(deliveries / s).toLocaleString('en-US')}/s, ` +
      `${((cpu / deliveries) * 1e6).toFixed(0)} µs CPU each (both threads), ${streamed} records streamed again`,
  );
  console.log(`  µs per delivery by thread: capture ${us(split.main)}, store writer ${us(split.busiest)}, others (GC helpers) ${us(split.rest)}`);
} finally {
  core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
