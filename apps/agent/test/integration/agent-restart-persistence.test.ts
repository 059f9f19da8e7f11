/**
 * The capture outlives the agent process: records (with their raw bytes) are still served
 * after a restart on the same --data-dir, new capture continues after them, and an
 * export imported into a fresh agent shows the same records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EnvelopeDetail, EnvelopeRecord } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost, runOsloClient, runOsloScenario, startAgent, type RunningAgent, type TestVhost } from '../support/index.js';
import { AgentApi, splitExport, waitUntil } from './agent-helpers.js';

const TOPIC = 'persist-it';

let vhost: TestVhost;
let dataDir: string;
let importDir: string;
const running: RunningAgent[] = [];

/** Starts an agent and waits until its first source captures (or is the idle import target). */
async function agentOn(args: string[]): Promise<{ agent: RunningAgent; api: AgentApi }> {
  const agent = await startAgent({ args });
  running.push(agent);
  return { agent, api: new AgentApi(agent.baseUrl) };
}

async function capturingAgent(): Promise<{ agent: RunningAgent; api: AgentApi }> {
  const started = await agentOn(['--transport-url', vhost.url, '--no-demo-fallback', '--data-dir', dataDir]);
  await waitUntil('the agent to capture with tracing on', async () => {
    const src = (await started.api.health()).sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
  });
  return started;
}

async function stopAgent(agent: RunningAgent): Promise<number | null> {
  running.splice(running.indexOf(agent), 1);
  return agent.stop();
}

const details = (api: AgentApi, records: EnvelopeRecord[]): Promise<EnvelopeDetail[]> => Promise.all(records.map((r) => api.envelope(r.id)));

/**
 * A record minus `source` (the import labels its records `import`, by design) and
 * `bodySize` (checked on its own below).
 */
const comparable = <T extends EnvelopeRecord>(r: T): Omit<T, 'source' | 'bodySize'> => {
  const { source: _source, bodySize: _bodySize, ...rest } = r;
  return rest;
};

let firstRecords: EnvelopeRecord[];
let firstDetails: EnvelopeDetail[];
let secondRecords: EnvelopeRecord[];
let secondDetails: EnvelopeDetail[];
let firstExit: number | null;
let afterRestart: EnvelopeRecord | undefined;

beforeAll(async () => {
  vhost = await createTestVhost('agent-persist');
  dataDir = await mkdtemp(path.join(tmpdir(), 'osloscope-it-persist-'));
  importDir = await mkdtemp(path.join(tmpdir(), 'osloscope-it-import-'));

  const first = await capturingAgent();
  // Calls with replies, a remote error, notifications: every kind of record.
  const run = await runOsloScenario({ transportUrl: vhost.url, scenario: 'scenario', args: { topic: TOPIC, steps: 'S01,S02,S06,S13', pause: 0.1 } });
  expect(run.code, run.stderr.slice(-2000)).toBe(0);
  firstRecords = await waitUntil('the scenario in the API', async () => {
    const all = await first.api.allEnvelopes();
    const done = all.filter((r) => r.kind === 'notification').length === 2 && all.filter((r) => r.kind === 'reply').length === 3;
    return done ? all : null;
  });
  firstDetails = await details(first.api, firstRecords);
  firstExit = await stopAgent(first.agent);

  const second = await capturingAgent();
  secondRecords = await second.api.allEnvelopes();
  secondDetails = await details(second.api, secondRecords.slice(0, firstRecords.length));
  // Capture goes on into the same store.
  const cast = await runOsloClient({
    transportUrl: vhost.url,
    topic: TOPIC,
    action: 'cast',
    method: 'record_event',
    args: { event: { phase: 'after-restart' } },
  });
  expect(cast.code, cast.stderr.slice(-2000)).toBe(0);
  afterRestart = await waitUntil('the cast after the restart', async () =>
    (await second.api.allEnvelopes('kind=cast')).find((r) => JSON.stringify(r.args).includes('after-restart')),
  );
}, 240_000);

afterAll(async () => {
  for (const agent of running.splice(0)) await agent.stop();
  await vhost?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
  await rm(importDir, { recursive: true, force: true });
});

describe('agent restart on the same data dir', () => {
  it('stopped cleanly', () => {
    expect(firstExit).toBe(0);
  });

  it('still lists every record as it was before the restart', () => {
    // 3 calls, their 3 replies, 2 notifications.
    expect(firstRecords).toHaveLength(8);
    expect(new Set(firstRecords.map((r) => r.kind))).toEqual(new Set(['call', 'reply', 'notification']));
    expect(secondRecords.slice(0, firstRecords.length)).toEqual(firstRecords);
  });

  it('still serves each record with its raw bytes', () => {
    expect(secondDetails).toEqual(firstDetails);
    for (const d of secondDetails) {
      expect(Buffer.from(d.rawBase64, 'base64').length).toBeGreaterThan(0);
      expect(d.properties).toBeDefined();
    }
    const call = secondDetails.find((d) => d.kind === 'call' && d.outcome?.status === 'error');
    expect(call?.outcome?.failure?.class).toBe('ValueError');
    expect(Buffer.from(call!.rawBase64, 'base64').toString('utf8')).toContain('fail_value_error');
  });

  it('captures new traffic after the restart with ids after the old ones', () => {
    expect(afterRestart).toBeDefined();
    expect(afterRestart!.id).toBeGreaterThan(Math.max(...firstRecords.map((r) => r.id)));
    expect(afterRestart!.target).toMatchObject({ topic: TOPIC, version: null, server: null, fanout: false });
  });
});

describe('export and import into a fresh agent', () => {
  let exported: string;
  let source: AgentApi;
  let sourceRecords: EnvelopeRecord[];
  let imported: AgentApi;
  let importedRecords: EnvelopeRecord[];
  let result: { imported: number; errors: number };

  beforeAll(async () => {
    source = new AgentApi(running[0]!.baseUrl);
    sourceRecords = await source.allEnvelopes();
    exported = await source.exportText();
    // A fresh data dir and no broker to capture from: only what is imported shows.
    const fresh = await agentOn(['--transport-url', 'rabbit://guest:guest@127.0.0.1:1/', '--no-demo-fallback', '--data-dir', importDir]);
    imported = fresh.api;
    expect(await imported.allEnvelopes()).toEqual([]);
    result = await imported.importText(exported);
    importedRecords = await imported.allEnvelopes();
  });

  it('imports every exported line', () => {
    expect(splitExport(exported).records).toHaveLength(sourceRecords.length);
    expect(splitExport(exported).trailer).toEqual({ lines: sourceRecords.length, missing: 0, reasons: [] });
    expect(result).toEqual({ imported: sourceRecords.length, errors: 0 });
  });

  it('shows the same records, labelled as imported', () => {
    expect(importedRecords.map(comparable)).toEqual(sourceRecords.map(comparable));
    expect(new Set(importedRecords.map((r) => r.source))).toEqual(new Set(['import']));
  });

  it('serves the same raw bodies for imported records', async () => {
    const before = await details(source, sourceRecords);
    const after = await details(imported, importedRecords);
    const raw = (d: EnvelopeDetail) => ({ id: d.id, rawBase64: d.rawBase64, properties: d.properties, broker: d.broker });
    expect(after.map(raw)).toEqual(before.map(raw));
  });

  it('still says what was masked and how big each message was on the wire', async () => {
    const before = await details(source, sourceRecords);
    const after = await details(imported, importedRecords);
    const facts = (d: EnvelopeDetail) => ({ id: d.id, kind: d.kind, maskedFields: d.maskedFields, bodySize: d.bodySize });
    // Not vacuous: the calls carried an auth token that the export masked.
    expect(before.some((d) => d.maskedFields.some((f) => f.endsWith('_context_auth_token')))).toBe(true);
    expect(after.map(facts)).toEqual(before.map(facts));
  });
});
