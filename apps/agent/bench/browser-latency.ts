/**
 * B3 (publish → row visible in Chromium) and the browser half of B5 (JS heap under steady
 * traffic). A fresh vhost with tracing on, the built agent on it, the built web app in
 * headless Chromium; oslo casts published at a fixed rate, each carrying its publish time in
 * its args. The page reports when each row was inserted (see browser-probe.ts); the capture
 * ids are mapped back to publish times through the HTTP API afterwards.
 *
 *   node apps/agent/dist-bench/bench/browser-latency.js [--rates 1000,5000] [--seconds 10] [--heap-seconds 60] [--heap-rate 2000]
 *     [--profile page.cpuprofile] [--trace page-trace.json] [--web-root <dir>]
 *
 * `--web-root` serves the page's files from another build (e.g. a copy of the previous
 * apps/web/dist) so a before/after comparison can run within the same minutes on a loaded box.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { chromium, type Page } from 'playwright-core';
import { toPublishOptions } from '../src/amqp/publish-options.js';
import { encodeRequest, type EnvelopeRecord } from '@osloscope/shared';
import { PROBE_INIT_SCRIPT, collectProbe, percentile, slope, stopProbe, type ProbeData } from './browser-probe.js';
import { ms, rate, renderTable, type BenchRow } from './table.js';
import { managementRequest, startAgentProcess } from './bench-agent.js';

const CHROMIUM = process.env['OSLOSCOPE_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const HOST = '127.0.0.1';
const MGMT = `http://${HOST}:15672`;
/** Wait after the last publish for the page to catch up. */
const DRAIN_MS = 3000;

interface Options {
  rates: number[];
  seconds: number;
  heapSeconds: number;
  heapRate: number;
  /** Write a CPU profile of the page during the first rate (`.cpuprofile`, for DevTools). */
  profile: string | null;
  /** Write a Chrome trace (timeline categories) of the page during the first rate, for DevTools' Performance panel. */
  trace: string | null;
  /** Serve the web app from this directory instead of the agent's (apps/web/dist). */
  webRoot: string | null;
}

const USAGE = `usage: node apps/agent/dist-bench/bench/browser-latency.js [--rates 1000,5000] [--seconds 10]
  [--heap-seconds 60] [--heap-rate 2000] [--profile page.cpuprofile] [--trace trace.json] [--web-root dir]`;

/** The command line (node's parseArgs, strict: an unknown option is an error, not a full run). */
function optionsOf(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '1000,5000' },
      seconds: { type: 'string', default: '10' },
      'heap-seconds': { type: 'string', default: '60' },
      'heap-rate': { type: 'string', default: '2000' },
      profile: { type: 'string' },
      trace: { type: 'string' },
      'web-root': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  return {
    rates: values.rates
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    seconds: Number(values.seconds),
    heapSeconds: Number(values['heap-seconds']),
    heapRate: Number(values['heap-rate']),
    profile: values.profile ?? null,
    trace: values.trace ?? null,
    webRoot: values['web-root'] !== undefined ? path.resolve(values['web-root']) : null,
  };
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/**
 * Publishes oslo casts at `perSec` for `seconds`, each with `args.sentAt` (epoch ms) and
 * `args.run`. Catches up in 10 ms ticks, so the rate holds even when a tick runs late.
 */
async function publishAtRate(ch: amqp.Channel, run: string, perSec: number, seconds: number): Promise<number> {
  const start = Date.now();
  let sent = 0;
  const total = Math.round(perSec * seconds);
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * perSec));
    while (sent < due) {
      const m = encodeRequest({
        exchange: 'openstack',
        topic: 'bench',
        server: `node-${sent % 4}`,
        version: '1.0',
        method: 'report_state',
        args: { run, seq: sent, sentAt: Date.now() },
        context: { user_id: 'bench', project_id: 'bench' },
        uniqueId: randomBytes(16).toString('hex'),
      });
      const ok = ch.publish(m.exchange, m.routingKey, Buffer.from(m.body), toPublishOptions(m.properties));
      sent++;
      if (!ok) await new Promise((r) => ch.once('drain', r));
    }
    await sleep(10);
  }
  return sent;
}

/** Capture id → publish time and agent capture time, for the records of one run (paged newest first through the API). */
async function publishTimes(baseUrl: string, run: string): Promise<Map<number, { sentAt: number; capturedAt: number }>> {
  const out = new Map<number, { sentAt: number; capturedAt: number }>();
  let before: number | null = null;
  for (;;) {
    const q: string = `/api/envelopes?topic=bench&limit=1000${before === null ? '' : `&before=${before}`}`;
    const { items } = (await (await fetch(baseUrl + q)).json()) as { items: EnvelopeRecord[] };
    if (items.length === 0) break;
    let older = false;
    for (const r of items) {
      const a = r.args as { run?: string; sentAt?: number } | null;
      if (a?.run === run && typeof a.sentAt === 'number') out.set(r.id, { sentAt: a.sentAt, capturedAt: r.capturedAt });
      else if (a?.run !== run) older = true;
    }
    before = items[items.length - 1]?.id ?? null;
    // Runs are sequential: once a page reaches records of an earlier run, there is nothing more.
    if (older && out.size > 0) break;
  }
  return out;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * Answers the page's own file requests (not /api, not /socket.io) from `root`, with the same
 * SPA fallback as the agent: the agent keeps serving the data, another build the app.
 */
async function serveWebRootFrom(page: Page, baseUrl: string, root: string): Promise<void> {
  await page.route(
    (url) => url.origin === new URL(baseUrl).origin && !url.pathname.startsWith('/api') && !url.pathname.startsWith('/socket.io'),
    async (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, '');
      let file = path.join(root, rel);
      if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(root, 'index.html');
      await route.fulfill({
        status: 200,
        contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        body: fs.readFileSync(file),
      });
    },
  );
}

interface RateResult {
  perSec: number;
  published: number;
  stored: number;
  /** Rows seen on screen (top of the list) that map to this run. */
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The same rows split: publish → agent captured it (broker firehose + agent), agent → row on screen (stream + page). */
  toAgentP50: number;
  toAgentP95: number;
  toPageP50: number;
  toPageP95: number;
  longTaskMax: number;
  longTaskCount: number;
}

async function measureRate(page: Page, ch: amqp.Channel, baseUrl: string, perSec: number, seconds: number): Promise<RateResult> {
  const run = `r${perSec}-${randomBytes(3).toString('hex')}`;
  await page.evaluate(collectProbe); // discard what came before
  const published = await publishAtRate(ch, run, perSec, seconds);
  await sleep(DRAIN_MS);
  const probe: ProbeData = await page.evaluate(collectProbe);
  const sentAt = await publishTimes(baseUrl, run);
  const latencies: number[] = [];
  const toAgent: number[] = [];
  const toPage: number[] = [];
  for (const row of probe.rows) {
    const t = sentAt.get(row.id);
    // On screen: rendered inside the scroll area's height (not an overscan row below it).
    if (t === undefined || row.top < 0 || row.top >= probe.viewportHeight) continue;
    latencies.push(row.at - t.sentAt);
    toAgent.push(t.capturedAt - t.sentAt);
    toPage.push(row.at - t.capturedAt);
  }
  return {
    perSec,
    published,
    stored: sentAt.size,
    samples: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    toAgentP50: percentile(toAgent, 50),
    toAgentP95: percentile(toAgent, 95),
    toPageP50: percentile(toPage, 50),
    toPageP95: percentile(toPage, 95),
    longTaskMax: Math.max(0, ...probe.longTasks.map((t) => t.duration)),
    longTaskCount: probe.longTasks.length,
  };
}

interface HeapResult {
  perSec: number;
  seconds: number;
  samples: { t: number; mb: number }[];
  /** MB per minute over the second half of the run (after the 20k-record buffer filled). */
  growthPerMinLate: number;
}

/** B5 browser: JS heap (after a forced GC) sampled every 5 s while publishing at a steady rate. */
async function measureHeap(page: Page, ch: amqp.Channel, perSec: number, seconds: number): Promise<HeapResult> {
  // The latency probe keeps every row id it saw: stopped, so the heap is the app's alone.
  await page.evaluate(stopProbe);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heapMb = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
  };
  const samples: { t: number; mb: number }[] = [{ t: 0, mb: await heapMb() }];
  const start = Date.now();
  const publishing = publishAtRate(ch, `heap-${randomBytes(3).toString('hex')}`, perSec, seconds);
  let done = false;
  void publishing.then(() => (done = true));
  while (!done) {
    await sleep(5000);
    samples.push({ t: (Date.now() - start) / 1000, mb: await heapMb() });
  }
  await publishing;
  const late = samples.filter((s) => s.t >= seconds / 2).map((s) => ({ x: s.t / 60, y: s.mb }));
  return { perSec, seconds, samples, growthPerMinLate: slope(late) };
}

async function main(): Promise<void> {
  const opt = optionsOf(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(s + '\n');
  const vhost = `osloscope-b3-${randomBytes(4).toString('hex')}`;
  const seg = encodeURIComponent(vhost);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-b3-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-b3-chromium-'));
  const cleanups: (() => Promise<unknown> | void)[] = [];
  try {
    await managementRequest(MGMT, 'PUT', `/api/vhosts/${seg}`, { description: 'osloscope bench B3', tracing: true });
    cleanups.push(() => managementRequest(MGMT, 'DELETE', `/api/vhosts/${seg}`).catch(() => {}));
    await managementRequest(MGMT, 'PUT', `/api/permissions/${seg}/guest`, { configure: '.*', write: '.*', read: '.*' });

    const { child, baseUrl } = await startAgentProcess(`rabbit://guest:guest@${HOST}:5672/${seg}`, dataDir);
    cleanups.push(() => void child.kill('SIGTERM'));
    // Wait until the agent's firehose queue is bound to the trace exchange.
    for (let i = 0; i < 100; i++) {
      const b = (await managementRequest(MGMT, 'GET', `/api/exchanges/${seg}/amq.rabbitmq.trace/bindings/source`)) as unknown[];
      if (b.length >= 1) break;
      await sleep(100);
    }

    const conn = await amqp.connect(`amqp://guest:guest@${HOST}:5672/${seg}`);
    cleanups.push(() => conn.close().catch(() => {}));
    const ch = await conn.createChannel();
    await ch.assertExchange('openstack', 'topic', { durable: false });

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
        // Files answered by the test (`--web-root`) have no address, so Chromium would treat the
        // page as public and block its socket to the agent on 127.0.0.1.
        ...(opt.webRoot ? ['--disable-features=LocalNetworkAccessChecks'] : []),
      ],
      viewport: { width: 1600, height: 1000 },
    });
    cleanups.push(() => context.close().catch(() => {}));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(PROBE_INIT_SCRIPT);
    if (opt.webRoot) await serveWebRootFrom(page, baseUrl, opt.webRoot);
    await page.goto(baseUrl);
    await page.getByTestId('agent-connection').and(page.locator('[data-state="connected"]')).waitFor({ timeout: 30_000 });
    await sleep(1000);

    const rows: BenchRow[] = [];
    for (const [i, perSec] of opt.rates.entries()) {
      log(`B3: ${rate(perSec)} for ${opt.seconds} s …`);
      const cdp = i === 0 && opt.profile ? await page.context().newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const tracing = i === 0 && opt.trace ? await page.context().newCDPSession(page) : null;
      if (tracing) {
        await tracing.send('Tracing.start', {
          transferMode: 'ReturnAsStream',
          traceConfig: {
            includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'toplevel', 'blink', 'cc', 'gpu'],
          },
        });
      }
      const r = await measureRate(page, ch, baseUrl, perSec, opt.seconds);
      if (tracing && opt.trace) {
        const done = new Promise<string>((resolve) => tracing.once('Tracing.tracingComplete', (e) => resolve(e.stream ?? '')));
        await tracing.send('Tracing.end');
        const handle = await done;
        const out = fs.openSync(opt.trace, 'w');
        for (;;) {
          const chunk = await tracing.send('IO.read', { handle, size: 1 << 20 });
          fs.writeSync(out, chunk.base64Encoded ? Buffer.from(chunk.data, 'base64') : Buffer.from(chunk.data));
          if (chunk.eof) break;
        }
        fs.closeSync(out);
        await tracing.send('IO.close', { handle });
        log(`B3: trace written to ${opt.trace}`);
      }
      if (cdp && opt.profile) {
        const { profile } = await cdp.send('Profiler.stop');
        fs.writeFileSync(opt.profile, JSON.stringify(profile));
        log(`B3: CPU profile written to ${opt.profile}`);
      }
      log(`B3: ${JSON.stringify(r)}`);
      const at = rate(perSec);
      rows.push(
        { bench: 'B3', metric: `${at}: published / stored / rows seen on screen`, value: `${r.published} / ${r.stored} / ${r.samples}`, target: '', met: null },
        {
          bench: 'B3',
          metric: `${at}: publish → row p50 / p95 / p99`,
          value: `${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)}`,
          target: perSec >= 5000 ? 'p95 ≤ 250 ms' : '',
          met: perSec >= 5000 ? r.p95 <= 250 : null,
        },
        { bench: 'B3', metric: `${at}:   publish → agent captured p50 / p95`, value: `${ms(r.toAgentP50)} / ${ms(r.toAgentP95)}`, target: '', met: null },
        { bench: 'B3', metric: `${at}:   agent captured → row p50 / p95`, value: `${ms(r.toPageP50)} / ${ms(r.toPageP95)}`, target: '', met: null },
        {
          bench: 'B3',
          metric: `${at}: longest main-thread task (count > 50 ms)`,
          value: `${ms(r.longTaskMax)} (${r.longTaskCount})`,
          target: '≤ 100 ms',
          met: r.longTaskMax <= 100,
        },
      );
    }
    if (opt.heapSeconds > 0) {
      log(`B5: heap at ${rate(opt.heapRate)} for ${opt.heapSeconds} s …`);
      const h = await measureHeap(page, ch, opt.heapRate, opt.heapSeconds);
      log(`B5: ${h.samples.map((s) => `${s.t.toFixed(0)}s=${s.mb.toFixed(1)}MB`).join(' ')}`);
      const last = h.samples[h.samples.length - 1];
      rows.push(
        { bench: 'B5', metric: `browser JS heap after ${h.seconds} s at ${rate(h.perSec)}`, value: `${(last?.mb ?? 0).toFixed(1)} MB`, target: '', met: null },
        {
          bench: 'B5',
          metric: 'browser heap growth, second half',
          value: `${h.growthPerMinLate.toFixed(1)} MB/min`,
          target: 'flat once the buffer is full',
          met: null,
        },
      );
    }
    process.stdout.write(renderTable(rows) + '\n');
  } finally {
    for (const c of cleanups.reverse()) await c();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`browser bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
