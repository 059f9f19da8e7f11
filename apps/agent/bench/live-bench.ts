/**
 * B1 live ingest: the workload is published to the local RabbitMQ as fast as it accepts, in a
 * fresh vhost with tracing on. Side by side in the same run: the built agent (decode,
 * correlate, store, stream to one socket.io client) and a bare amqplib consumer of an
 * identical trace queue. Both see the same trace events; the ratio is bare time / agent time
 * to have taken in all of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { io as ioClient } from 'socket.io-client';
import { workload, workloadBindings, workloadQueues } from './workload.js';
import { secondsSince } from './pipeline-bench.js';
import { CAPTURE_QUEUE_OPTIONS } from '../src/amqp/capture-queue.js';
import { toPublishOptions } from '../src/amqp/publish-options.js';
import { managementRequest, startAgentProcess } from './bench-agent.js';
import { cpuSecondsByThread, cpuSecondsOf, localBrokerPid, threadSplitSince, threadTimesOf, threadTimesSince, type ThreadTimes } from './cpu-accounting.js';

export interface LiveOptions {
  messages: number;
  host?: string;
  managementUrl?: string;
  log?: (line: string) => void;
}

export interface LiveResult {
  published: number;
  publishSeconds: number;
  /** Trace events the bare consumer received (publish + deliver). */
  traceEvents: number;
  bareSeconds: number;
  agentSeconds: number;
  /** Messages per second the agent stored, and the bare consumer's trace events per second. */
  agentMessagesPerSec: number;
  bareEventsPerSec: number;
  /** bareSeconds / agentSeconds: 1 = the agent kept up with the broker. */
  ratio: number;
  stored: number;
  dropped: number;
  /** New records the socket.io client received, and how many the stream reported skipped. */
  streamed: number;
  skipped: number;
  agentRssMb: number;
  /**
   * CPU the agent process spent (all its threads) from the first publish until it had stored
   * every message, per message: steadier across runs than the ratio, which moves with
   * whatever else the two cores do.
   */
  agentCpuMicrosPerMessage: number;
  /**
   * Over the same span, how long the agent's threads ran and how long they were ready to run
   * but waited for a CPU (null where the kernel keeps no schedstats): the broker, the bench's
   * clients and the agent share the machine's cores.
   */
  agentThreads: ThreadTimes | null;
  /** The agent's CPU per message by thread: its capture (main) thread, its store writer (its busiest other thread), the rest (GC helpers). */
  agentCpuMicrosByThread: { capture: number; writer: number; rest: number };
  /** CPU seconds the local broker used over the span (null when its process is not found). */
  brokerCpuSeconds: number | null;
  /** CPU seconds this process used over the span: the publisher, the bare consumer, the stream client. */
  benchCpuSeconds: number;
  /** The span: first publish until the agent had stored every message. */
  spanSeconds: number;
  /**
   * Events waiting in the agent's capture queue on the broker (its health's `backlog`), sampled
   * every few seconds: the most seen, and the first sample after the last publish (null if
   * never known). Where the agent falls behind: while the broker is busy publishing, or later.
   */
  agentBacklog: { most: number | null; atPublishEnd: number | null };
}

/** How often B1 samples the agent's health for its backlog and progress (and logs progress every sixth sample). */
const SAMPLE_MS = 5000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface AgentHealth {
  counts: { stored: number; captured: number; dropped: number; evicted: number };
  sources: { backlog?: number | null }[];
}

/** The agent's capture backlog in a health report: the sum over its sources, null when none knows. */
function backlogOf(h: AgentHealth): number | null {
  const known = h.sources.map((s) => s.backlog).filter((b): b is number => typeof b === 'number');
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

export async function runLiveBench(opts: LiveOptions): Promise<LiveResult> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';
  const mgmt = opts.managementUrl ?? `http://${host}:15672`;
  const vhost = `osloscope-bench-${randomBytes(4).toString('hex')}`;
  const seg = encodeURIComponent(vhost);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-b1-'));
  const cleanups: (() => Promise<unknown> | void)[] = [];
  // A connection error (e.g. the broker restarted under us) fails the run instead of crashing it.
  let brokerError: Error | null = null;
  const connect = async (url: string) => {
    const c = await amqp.connect(url);
    c.on('error', (err: Error) => (brokerError ??= err));
    c.on('close', () => (brokerError ??= new Error('broker connection closed during the run')));
    cleanups.push(() => c.close().catch(() => {}));
    return c;
  };
  try {
    await managementRequest(mgmt, 'PUT', `/api/vhosts/${seg}`, { description: 'osloscope bench B1', tracing: true });
    cleanups.push(() => managementRequest(mgmt, 'DELETE', `/api/vhosts/${seg}`).catch(() => {}));
    await managementRequest(mgmt, 'PUT', `/api/permissions/${seg}/guest`, { configure: '.*', write: '.*', read: '.*' });
    const amqpUrl = `amqp://guest:guest@${host}:5672/${seg}`;

    // The topology the workload publishes into, with a consumer on every queue (deliver events).
    const conn = await connect(amqpUrl);
    const setup = await conn.createChannel();
    for (const q of workloadQueues()) await setup.assertQueue(q, { durable: false, autoDelete: false });
    for (const [ex, type, q, key] of workloadBindings()) {
      await setup.assertExchange(ex, type, { durable: false });
      await setup.bindQueue(q, ex, key);
    }
    const consumerConn = await connect(amqpUrl);
    const consumer = await consumerConn.createChannel();
    for (const q of workloadQueues()) await consumer.consume(q, () => {}, { noAck: true });

    // The bare consumer: a trace queue declared as the agent declares its own, noAck, counting.
    const bareConn = await connect(amqpUrl);
    const bare = await bareConn.createChannel();
    const traceQ = await bare.assertQueue('', { ...CAPTURE_QUEUE_OPTIONS });
    await bare.bindQueue(traceQ.queue, 'amq.rabbitmq.trace', '#');
    let traceEvents = 0;
    let bareLast = 0n;
    await bare.consume(
      traceQ.queue,
      () => {
        traceEvents++;
        bareLast = process.hrtime.bigint();
      },
      { noAck: true },
    );

    // The agent and one stream client.
    const { child, baseUrl } = await startAgentProcess(`rabbit://guest:guest@${host}:5672/${seg}`, dataDir);
    cleanups.push(() => {
      child.kill('SIGTERM');
    });
    const socket = ioClient(baseUrl, { transports: ['websocket'] });
    cleanups.push(() => {
      socket.close();
    });
    let streamed = 0;
    let skipped = 0;
    socket.on('envelopes:batch', (batch) => {
      if (batch.history) return;
      streamed += batch.items.length;
      skipped += batch.skipped;
    });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect_error', reject);
      socket.on('hello', () => socket.emit('stream:subscribe', { filter: {}, historyLimit: 0 }, () => resolve()));
    });
    const health = async () => (await (await fetch(`${baseUrl}/api/health`)).json()) as AgentHealth;
    // Wait until the agent's firehose queue exists (its consumer shows up as a binding of the trace exchange).
    for (let i = 0; i < 100; i++) {
      const bindings = (await managementRequest(mgmt, 'GET', `/api/exchanges/${seg}/amq.rabbitmq.trace/bindings/source`)) as unknown[];
      if (bindings.length >= 2) break;
      await sleep(100);
    }
    await sleep(500);

    // Publish as fast as the broker accepts (respecting the socket's back-pressure).
    const pub = await conn.createChannel();
    const gen = workload();
    const brokerPid = localBrokerPid();
    const brokerCpu0 = brokerPid !== null ? cpuSecondsOf(brokerPid) : Number.NaN;
    const benchCpu0 = process.cpuUsage();
    const threads0 = threadTimesOf(child.pid!);
    const byThread0 = cpuSecondsByThread(child.pid!);
    const cpu0 = cpuSecondsOf(child.pid!);
    const t0 = process.hrtime.bigint();
    // Progress and the agent's backlog, sampled while publishing and after.
    let published = 0;
    let publishDone = false;
    let mostBacklog: number | null = null;
    let backlogAtPublishEnd: number | null = null;
    let samples = 0;
    const sampler = setInterval(() => {
      void health()
        .then((h) => {
          const backlog = backlogOf(h);
          if (backlog !== null) mostBacklog = Math.max(mostBacklog ?? 0, backlog);
          if (publishDone && backlogAtPublishEnd === null) backlogAtPublishEnd = backlog;
          if (++samples % 6 === 0) {
            log(
              `B1: ${secondsSince(t0).toFixed(0)} s: published ${published}, bare ${traceEvents} events, ` +
                `agent ${h.counts.stored + h.counts.evicted} stored, ${backlog ?? '?'} events in its queue`,
            );
          }
        })
        .catch(() => undefined);
    }, SAMPLE_MS);
    cleanups.push(() => clearInterval(sampler));
    for (let i = 0; i < opts.messages; i++) {
      const m = gen.next().value!;
      const ok = pub.publish(m.exchange, m.routingKey, Buffer.from(m.body), toPublishOptions(m.properties));
      published = i + 1;
      if (!ok) await new Promise((r) => pub.once('drain', r));
      // Let this process's stream client and bare consumer read meanwhile: a publish loop that
      // never yields starved the client for seconds, so the agent (rightly) skipped records for it.
      else if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      if (brokerError) throw brokerError;
    }
    const publishSeconds = secondsSince(t0);
    publishDone = true;
    log(`B1: published ${opts.messages} in ${publishSeconds.toFixed(1)} s`);

    // Done when the agent stored every message and the bare consumer has gone quiet.
    let agentDone = 0n;
    let agentCpu = Number.NaN;
    let agentThreads: ThreadTimes | null = null;
    let split = { main: Number.NaN, busiest: Number.NaN, rest: Number.NaN };
    let brokerCpu = Number.NaN;
    let benchCpu = Number.NaN;
    let h = await health();
    const deadline = Date.now() + Math.max(120_000, opts.messages * 5);
    while (Date.now() < deadline) {
      if (brokerError) throw brokerError;
      h = await health();
      // Stored or already evicted again: a run longer than the agent's retention evicts the oldest.
      const written = h.counts.stored + h.counts.evicted;
      if (written + h.counts.dropped >= opts.messages && agentDone === 0n) {
        agentDone = process.hrtime.bigint();
        agentCpu = cpuSecondsOf(child.pid!) - cpu0;
        agentThreads = threadTimesSince(threads0, threadTimesOf(child.pid!));
        split = threadSplitSince(child.pid!, byThread0, cpuSecondsByThread(child.pid!));
        if (brokerPid !== null) brokerCpu = cpuSecondsOf(brokerPid) - brokerCpu0;
        const used = process.cpuUsage(benchCpu0);
        benchCpu = (used.user + used.system) / 1e6;
      }
      const quiet = bareLast !== 0n && Number(process.hrtime.bigint() - bareLast) / 1e9 > 2;
      if (agentDone !== 0n && quiet && streamed + skipped >= opts.messages) break;
      // Each poll costs the agent an HTTP request: finely only near the end, where it times the run.
      await sleep(agentDone === 0n && written >= 0.9 * opts.messages ? 20 : 200);
    }
    const bareSeconds = Number(bareLast - t0) / 1e9;
    const agentSeconds = agentDone === 0n ? Number.POSITIVE_INFINITY : Number(agentDone - t0) / 1e9;
    const rss = Number(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
    return {
      published: opts.messages,
      publishSeconds,
      traceEvents,
      bareSeconds,
      agentSeconds,
      agentMessagesPerSec: (h.counts.stored + h.counts.evicted) / agentSeconds,
      bareEventsPerSec: traceEvents / bareSeconds,
      ratio: bareSeconds / agentSeconds,
      // Everything the agent wrote, including what retention evicted again during a long run.
      stored: h.counts.stored + h.counts.evicted,
      dropped: h.counts.dropped,
      streamed,
      skipped,
      agentRssMb: rss,
      agentCpuMicrosPerMessage: (agentCpu / opts.messages) * 1e6,
      agentThreads,
      agentCpuMicrosByThread: {
        capture: (split.main / opts.messages) * 1e6,
        writer: (split.busiest / opts.messages) * 1e6,
        rest: (split.rest / opts.messages) * 1e6,
      },
      brokerCpuSeconds: Number.isNaN(brokerCpu) ? null : brokerCpu,
      benchCpuSeconds: benchCpu,
      spanSeconds: agentSeconds,
      agentBacklog: { most: mostBacklog, atPublishEnd: backlogAtPublishEnd },
    };
  } finally {
    brokerError = null;
    for (const c of cleanups.reverse()) await c();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
