/**
 * A damaged or read-only capture, with the real agent process: raw segment files cut short or
 * deleted between runs (a crash, a full disk, a careless `rm`), one cut short while the agent
 * runs, a data dir on a read-only file system, and a capture.sqlite that is not a database.
 * The agent must say what is damaged (health, log, the detail, the export's trailer), keep
 * serving what is intact, open a read-only capture for browsing, and refuse a capture it cannot
 * open with the path and the cause.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { encodeRequest, osloProperties, type EnvelopeDetail, type EnvelopeRecord, type HealthReport } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MAIN, REPO_ROOT, createTestVhost, spawnLines, startAgent, toPublishOptions, type RunningAgent, type TestVhost } from '../support/index.js';
import { AgentApi, splitExport, waitUntil } from './agent-helpers.js';

const EXCHANGE = 'openstack';
const TOPIC = 'damaged-it';
/** Casts captured by the first run (into raw/00000001.seg) and the second (raw/00000002.seg). */
const FIRST_RUN = 5;
const SECOND_RUN = 6;
const TOTAL = FIRST_RUN + SECOND_RUN;

const SEGMENT_1 = path.join('raw', '00000001.seg');
const SEGMENT_2 = path.join('raw', '00000002.seg');

let vhost: TestVhost;
/** The capture both runs wrote, left intact; each case works on a copy. */
let captured: string;
const dirs: string[] = [];
const running: RunningAgent[] = [];
const mounts: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `osloscope-it-${prefix}-`));
  dirs.push(dir);
  return dir;
}

async function copyOfCapture(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  await cp(captured, dir, { recursive: true });
  return dir;
}

async function agentOn(dataDir: string, extraArgs: string[] = []): Promise<{ agent: RunningAgent; api: AgentApi }> {
  const agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback', '--data-dir', dataDir, ...extraArgs] });
  running.push(agent);
  return { agent, api: new AgentApi(agent.baseUrl) };
}

async function stopAgent(agent: RunningAgent): Promise<number | null> {
  running.splice(running.indexOf(agent), 1);
  return agent.stop();
}

/** Publish `n` oslo casts named `<run>-<i>` and wait until the agent lists them. */
async function captureCasts(api: AgentApi, run: string, n: number): Promise<void> {
  const conn = await amqp.connect(vhost.amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(EXCHANGE, 'topic', { durable: false });
    await ch.assertQueue(TOPIC, { durable: false });
    await ch.bindQueue(TOPIC, EXCHANGE, TOPIC);
    for (let i = 0; i < n; i++) {
      const msg = encodeRequest({
        exchange: EXCHANGE,
        topic: TOPIC,
        method: `${run}_${i}`,
        args: { run, i, padding: 'x'.repeat(2000) },
        uniqueId: randomUUID().replace(/-/g, ''),
      });
      ch.publish(EXCHANGE, TOPIC, Buffer.from(msg.body), toPublishOptions(osloProperties()));
    }
    await ch.waitForConfirms();
    await ch.close();
  } finally {
    await conn.close();
  }
  await waitUntil(`the ${run} casts in the API`, async () => (await api.allEnvelopes(`method=${run}_${n - 1}`)).length === 1);
}

async function waitCapturing(api: AgentApi): Promise<void> {
  await waitUntil('the agent to capture with tracing on', async () => {
    const src = (await api.health()).sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
  });
}

const details = (api: AgentApi, records: EnvelopeRecord[]) => Promise.all(records.map((r) => api.request(`/api/envelopes/${r.id}`)));

beforeAll(async () => {
  vhost = await createTestVhost('damaged');
  captured = await tempDir('damaged-capture');
  // Each start of the agent begins a new raw segment: two runs, two segment files.
  for (const [run, n] of [
    ['first', FIRST_RUN],
    ['second', SECOND_RUN],
  ] as const) {
    const { agent, api } = await agentOn(captured);
    await waitCapturing(api);
    await captureCasts(api, run, n);
    expect(await stopAgent(agent)).toBe(0);
  }
}, 240_000);

afterAll(async () => {
  for (const agent of running.splice(0)) await agent.stop();
  for (const dir of mounts.splice(0)) execFileSync('umount', [dir]);
  await vhost?.cleanup();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('a raw segment cut short between runs', () => {
  let api: AgentApi;
  let agent: RunningAgent;
  let health: HealthReport;
  let records: EnvelopeRecord[];
  let answers: Awaited<ReturnType<typeof details>>;
  let exported: ReturnType<typeof splitExport>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await copyOfCapture('truncated');
    const file = path.join(dataDir, SEGMENT_2);
    await truncate(file, Math.floor((await stat(file)).size / 2));
    ({ agent, api } = await agentOn(dataDir, ['--allow-replay']));
    await waitCapturing(api);
    health = await api.health();
    records = await api.allEnvelopes();
    answers = await details(api, records);
    exported = splitExport(await api.exportText());
  });

  it('reports the damage in health: degraded, the segment named with how many records lost their raw events', () => {
    expect(health.status).toBe('degraded');
    expect(health.store.damage).toHaveLength(1);
    const [damage] = health.store.damage;
    expect(damage!.path).toBe(path.join(dataDir, SEGMENT_2));
    expect(damage!.problem).toMatch(/raw\/00000002\.seg is truncated/);
    expect(damage!.records).toBeGreaterThan(0);
    expect(damage!.records).toBeLessThan(SECOND_RUN);
    expect(damage!.problem).toContain(`${damage!.records} records`);
  });

  it('logs it once at start, with the path', () => {
    const lines = agent.stderr.filter((l) => l.includes(path.join(dataDir, SEGMENT_2)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN .*truncated/);
  });

  it('still lists every record', () => {
    expect(records).toHaveLength(TOTAL);
  });

  it('answers the detail of an affected record with what is known and why its raw event is missing', () => {
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const detailsOf = answers.map((a) => JSON.parse(a.text) as EnvelopeDetail);
    const missing = detailsOf.filter((d) => d.rawMissing !== undefined);
    expect(missing).toHaveLength(health.store.damage[0]!.records);
    for (const d of missing) {
      expect(d.rawMissing).toMatch(/raw\/00000002\.seg is truncated/);
      expect(d.method).toMatch(/^second_/);
      expect(d.rawBase64).toBe('');
    }
    const intact = detailsOf.filter((d) => d.rawMissing === undefined);
    expect(intact.map((d) => d.method)).toEqual(expect.arrayContaining(Array.from({ length: FIRST_RUN }, (_, i) => `first_${i}`)));
    for (const d of intact) expect(Buffer.from(d.rawBase64, 'base64').toString('utf8')).toContain(d.method!);
  });

  it('refuses to replay an affected record, saying why', async () => {
    const lost = answers.map((a) => JSON.parse(a.text) as EnvelopeDetail).find((d) => d.rawMissing !== undefined)!;
    const res = await api.request('/api/replay/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: lost.id }),
    });
    expect(res.status).toBe(410);
    expect(JSON.parse(res.text)).toEqual({ error: `message ${lost.id} cannot be replayed: its raw event is lost (raw/00000002.seg is truncated)` });
  });

  it('ends the export with a trailer that counts the records left out and says why, and logs it', async () => {
    const missing = health.store.damage[0]!.records;
    expect(exported.records).toHaveLength(TOTAL - missing);
    expect(exported.trailer).toEqual({ lines: TOTAL - missing, missing, reasons: [expect.stringMatching(/raw\/00000002\.seg is truncated/)] });
    await waitUntil('the export in the log', () => agent.stderr.find((l) => /WARN .*export/.test(l)));
    expect(agent.stderr.find((l) => /WARN .*export/.test(l))).toContain(`missing=${missing}`);
  });

  it('imports such an export into a fresh agent: the trailer is understood, not an error', async () => {
    const fresh = await agentOn(await tempDir('damaged-import'));
    const text = await api.exportText();
    expect(await fresh.api.importText(text)).toEqual({ imported: exported.records.length, errors: 0 });
  });
});

describe('a raw segment deleted between runs, and another cut short while the agent runs', () => {
  let api: AgentApi;
  let agent: RunningAgent;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await copyOfCapture('missing');
    await rm(path.join(dataDir, SEGMENT_1));
    ({ agent, api } = await agentOn(dataDir));
    await waitCapturing(api);
  });

  it('reports the missing segment with every record it held', async () => {
    const health = await api.health();
    expect(health.status).toBe('degraded');
    expect(health.store.damage).toEqual([
      { problem: expect.stringMatching(/raw\/00000001\.seg is missing/), records: FIRST_RUN, path: path.join(dataDir, SEGMENT_1) },
    ]);
    expect(agent.stderr.filter((l) => l.includes(path.join(dataDir, SEGMENT_1)))).toHaveLength(1);
  });

  it('lists every record and answers each detail, the lost ones saying their segment is missing', async () => {
    const records = await api.allEnvelopes();
    expect(records).toHaveLength(TOTAL);
    const answers = await details(api, records);
    expect(answers.map((a) => a.status)).toEqual(records.map(() => 200));
    const lost = answers.map((a) => JSON.parse(a.text) as EnvelopeDetail).filter((d) => d.rawMissing !== undefined);
    expect(lost.map((d) => d.method).sort()).toEqual(Array.from({ length: FIRST_RUN }, (_, i) => `first_${i}`));
    expect(lost.every((d) => /raw\/00000001\.seg is missing/.test(d.rawMissing!))).toBe(true);
  });

  it('finds a segment cut short while it runs, as it reads it: counted and reported, nothing crashes', async () => {
    await truncate(path.join(dataDir, SEGMENT_2), 10);
    const exported = splitExport(await api.exportText());
    expect(exported.records).toHaveLength(0);
    expect(exported.trailer).toEqual({
      lines: 0,
      missing: TOTAL,
      reasons: expect.arrayContaining([expect.stringMatching(/00000001\.seg is missing/), expect.stringMatching(/00000002\.seg is truncated/)]),
    });
    const health = await api.health();
    expect(health.store.damage.map((d) => [d.path, d.records])).toEqual([
      [path.join(dataDir, SEGMENT_1), FIRST_RUN],
      [path.join(dataDir, SEGMENT_2), SECOND_RUN],
    ]);
    expect(agent.stderr.some((l) => l.includes(path.join(dataDir, SEGMENT_2)) && /truncated/.test(l))).toBe(true);
    // The agent still serves: a record of the cut segment answers with the reason.
    const second = (await api.allEnvelopes(`method=second_0`))[0]!;
    expect((await api.envelope(second.id)).rawMissing).toMatch(/00000002\.seg is truncated/);
  });
});

describe('a capture on a read-only file system', () => {
  let api: AgentApi;
  let agent: RunningAgent;
  let readOnly: string;

  beforeAll(async () => {
    readOnly = await tempDir('read-only');
    execFileSync('mount', ['--bind', captured, readOnly]);
    mounts.push(readOnly);
    execFileSync('mount', ['-o', 'remount,bind,ro', readOnly]);
    ({ agent, api } = await agentOn(readOnly));
  });

  it('starts and says the capture is read-only, naming the path and why', async () => {
    const health = await api.health();
    expect(health.store.readOnly).toBe(`read-only capture: ${readOnly} is not writable (read-only file system)`);
    expect(health.status).toBe('degraded');
    expect(agent.stderr.some((l) => l.includes('read-only capture') && l.includes(readOnly))).toBe(true);
  });

  it('captures nothing: no live source', async () => {
    expect((await api.health()).sources).toEqual([]);
  });

  it('serves the capture: list, detail, export', async () => {
    const records = await api.allEnvelopes();
    expect(records).toHaveLength(TOTAL);
    const detail = await api.envelope(records[0]!.id);
    expect(Buffer.from(detail.rawBase64, 'base64').toString('utf8')).toContain('first_0');
    const exported = splitExport(await api.exportText());
    expect(exported.records).toHaveLength(TOTAL);
    expect(exported.trailer).toEqual({ lines: TOTAL, missing: 0, reasons: [] });
  });

  it('refuses an import with the reason', async () => {
    const res = await api.request('/api/import', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '\n' });
    expect(res.status).toBe(409);
    expect(JSON.parse(res.text)).toEqual({ error: expect.stringContaining('read-only capture') });
  });

  it('left the files as they were', async () => {
    await stopAgent(agent);
    expect(execFileSync('ls', [readOnly]).toString().trim().split('\n')).toEqual(['capture.sqlite', 'raw']);
  });
});

describe('a data dir that cannot be opened', () => {
  /** Runs the agent to its exit; resolves with the exit code and the log. */
  async function runToExit(dataDir: string): Promise<{ code: number | null; stderr: string }> {
    const proc = spawnLines(process.execPath, [AGENT_MAIN, '--port', '0', '--data-dir', dataDir, '--transport-url', vhost.url, '--no-demo-fallback'], {
      cwd: REPO_ROOT,
    });
    const code = await Promise.race([proc.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 30_000))]);
    if (code === 'running') await proc.stop();
    return { code: code === 'running' ? null : code, stderr: proc.stderr.join('\n') };
  }

  it('exits non-zero naming the path when capture.sqlite is not a database', async () => {
    const dataDir = await tempDir('not-a-database');
    await writeFile(path.join(dataDir, 'capture.sqlite'), 'these are not the bytes of a SQLite database, just some text\n'.repeat(100));
    const { code, stderr } = await runToExit(dataDir);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot open the capture at ${path.join(dataDir, 'capture.sqlite')}: not a database (the file is damaged or is not a capture)`);
    expect(stderr).not.toMatch(/unable to open database file/);
  });

  it('exits non-zero naming the path when a read-only data dir holds no capture', async () => {
    const empty = await tempDir('read-only-empty');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', empty]);
    mounts.push(empty);
    execFileSync('mount', ['-o', 'remount,ro', empty]);
    const { code, stderr } = await runToExit(empty);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `cannot open the capture at ${path.join(empty, 'capture.sqlite')}: there is none, and ${empty} is not writable (read-only file system)`,
    );
  });
});
