/**
 * Replay where the capture cannot see all of the replay's traffic: in tap mode (replies go
 * through the default exchange, which cannot be tapped) and from an imported capture
 * (no capture on the broker at all). Replay then hands its own messages to the capture.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvelopeRecord, ReplayAuditEntry, ReplayPreview, ReplayResult } from '@osloscope/shared';
import { createTestVhost, runOsloClient, startAgent, startOsloServers, type OsloServers, type RunningAgent, type TestVhost } from '../support/index.js';
import { api, waitForDetail, waitForRecord } from './replay-helpers.js';

let vhost: TestVhost;
let servers: OsloServers;
const agents: RunningAgent[] = [];
let tmp: string;

beforeAll(async () => {
  vhost = await createTestVhost('replay-modes');
  servers = await startOsloServers({ transportUrl: vhost.url, servers: ['node-a'] });
  tmp = await mkdtemp(path.join(tmpdir(), 'osloscope-replay-'));
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await servers?.stop();
  await vhost?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function agentWith(args: string[]): Promise<RunningAgent> {
  const a = await startAgent({ args: [...args, '--no-demo-fallback'] });
  agents.push(a);
  return a;
}

describe('replay in tap mode', () => {
  it('captures the reply it consumes itself and links it to the replayed call', async () => {
    const agent = await agentWith(['--transport-url', vhost.url, '--mode', 'tap', '--allow-replay']);
    await expect
      .poll(async () => (await api<{ sources: Array<{ state: string }> }>(agent.baseUrl, '/api/health')).body.sources[0]?.state, { timeout: 20_000 })
      .toBe('connected');
    await runOsloClient({ transportUrl: vhost.url, method: 'echo', args: { value: 'tapped' } });
    const original = await waitForRecord(agent.baseUrl, 'method=echo&kind=call', (r) => r.args?.['value'] === 'tapped');
    // Tap mode cannot see the original's reply.
    expect(original.outcome?.replyId ?? null).toBeNull();

    const { status, body } = await api<ReplayResult>(agent.baseUrl, '/api/replay', { id: original.id, confirm: true });
    expect(status).toBe(200);
    await servers.waitForExecuted((c) => c.args['value'] === 'tapped', { count: 2 });
    const replayed = await waitForDetail(agent.baseUrl, body.id!, (d) => d.outcome?.status === 'ok');
    expect(replayed.replayOf).toBe(original.id);
    const reply = await waitForDetail(agent.baseUrl, replayed.outcome!.replyId!, (d) => d.kind === 'reply');
    expect(reply.requestId).toBe(replayed.id);
    expect(reply.reply?.result).toEqual({ echo: 'tapped', served_by: 'node-a' });
    // Its tap queue binds '#': stop it so later tests can see unroutable messages.
    agents.splice(agents.indexOf(agent), 1);
    await agent.stop();
  });
});

describe('replay from an imported capture', () => {
  let imported: RunningAgent;
  let call: EnvelopeRecord;

  beforeAll(async () => {
    const live = await agentWith(['--transport-url', vhost.url]);
    await runOsloClient({ transportUrl: vhost.url, method: 'echo', args: { value: 'from-file' }, requestId: 'req-import-1' });
    await waitForRecord(live.baseUrl, 'method=echo&kind=call', (r) => r.args?.['value'] === 'from-file' && r.outcome?.status === 'ok');
    const exported = await (await fetch(`${live.baseUrl}/api/export`)).text();
    const file = path.join(tmp, 'capture.ndjson');
    await writeFile(file, exported);
    imported = await agentWith(['--import', file, '--transport-url', vhost.url, '--allow-replay']);
    call = await waitForRecord(imported.baseUrl, 'method=echo&kind=call', (r) => r.args?.['value'] === 'from-file');
  });

  it('asks to confirm the target before publishing to the attached broker', async () => {
    const res = await api<{ error: string }>(imported.baseUrl, '/api/replay/preview', { id: call.id });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/confirm the target/);
  });

  it('refuses the exported (masked) auth token, and replays once the user removes it', async () => {
    const target = { exchange: 'openstack', routingKey: 'demo' };
    const masked = await api<{ error: string }>(imported.baseUrl, '/api/replay', { id: call.id, target, confirm: true });
    expect(masked.status).toBe(400);
    expect(masked.body.error).toContain('context.auth_token');

    const preview = await api<ReplayPreview>(imported.baseUrl, '/api/replay/preview', {
      id: call.id,
      target,
      edits: { context: { request_id: 'req-import-1', user: 'demo-user' } },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.warnings.join(' ')).toMatch(/published to the attached broker/);
    // It goes to another broker than the capture it came from: the target must be confirmed.
    expect(preview.body.retarget?.to).toMatch(/^openstack \/ demo on /);
    const sent = await api<ReplayResult>(imported.baseUrl, '/api/replay', {
      id: call.id,
      previewId: preview.body.previewId,
      confirm: true,
      confirmTarget: true,
    });
    expect(sent.status).toBe(200);
    const [executed] = await servers.waitForExecuted((c) => c.args['value'] === 'from-file', { count: 2 });
    expect(executed?.context.request_id).toBe('req-import-1');
    const replayed = await waitForDetail(imported.baseUrl, sent.body.id!, (d) => d.outcome?.status === 'ok');
    expect(replayed.replayOf).toBe(call.id);

    // A preview is single use: its ids must not be published twice.
    const again = await api<{ error: string }>(imported.baseUrl, '/api/replay', { id: call.id, previewId: preview.body.previewId, confirm: true });
    expect(again.status).toBe(409);
  });
});

describe('replay with signing keys', () => {
  it('signs for a destination it has a key for, and says so when it has none', async () => {
    const keys = path.join(tmp, 'keys.json');
    await writeFile(keys, JSON.stringify({ keys: { 'demo.node-a': Buffer.alloc(16, 7).toString('base64') } }));
    const agent = await agentWith(['--transport-url', vhost.url, '--allow-replay', '--keys', keys]);
    await runOsloClient({ transportUrl: vhost.url, method: 'record_event', args: { event: 'to-sign' }, action: 'cast', server: 'node-a' });
    const cast = await waitForRecord(agent.baseUrl, 'method=record_event&kind=cast', (r) => r.args?.['event'] === 'to-sign');
    expect(cast.signature.status).toBe('unsigned');

    const unsigned = await api<ReplayPreview>(agent.baseUrl, '/api/replay/preview', { id: cast.id, target: { routingKey: 'demo' } });
    expect(unsigned.body).toMatchObject({ signed: false, signingNote: "unsigned: no signing key for destination 'demo' in the key file" });

    const preview = await api<ReplayPreview>(agent.baseUrl, '/api/replay/preview', { id: cast.id });
    expect(preview.body.signed).toBe(true);
    expect(JSON.parse(preview.body.body)['oslo.version']).toBe('2.1');
    const sent = await api<ReplayResult>(agent.baseUrl, '/api/replay', { id: cast.id, previewId: preview.body.previewId, confirm: true });
    expect(sent.status).toBe(200);
    // The agent's own verifier holds the key: the captured replay verifies.
    const replayed = await waitForDetail(agent.baseUrl, sent.body.id!, (d) => d.signature.status !== 'unsigned');
    expect(replayed).toMatchObject({ replayOf: cast.id, envelopeVersion: '2.1', signature: { status: 'valid' } });
    const audit = (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items;
    expect(audit.find((e) => e.replayId === sent.body.replayId)).toMatchObject({ signed: true, kind: 'cast', outcome: 'sent' });
  });
});

describe('replay outcomes without a reply', () => {
  it('honours the call expiration (timeout) and reports an unroutable target', async () => {
    const agent = await agentWith(['--transport-url', vhost.url, '--allow-replay']);
    await runOsloClient({ transportUrl: vhost.url, method: 'slow', args: { seconds: 2.5 }, timeout: 1, server: 'node-a' });
    const slow = await waitForRecord(agent.baseUrl, 'method=slow&kind=call', (r) => r.expirationMs === 1000);

    const timed = await api<ReplayResult>(agent.baseUrl, '/api/replay', { id: slow.id, confirm: true });
    expect(timed.status).toBe(200);
    const auditOf = async (replayId: string) =>
      (await api<{ items: ReplayAuditEntry[] }>(agent.baseUrl, '/api/replay/audit')).body.items.find((e) => e.replayId === replayId);
    await expect.poll(() => auditOf(timed.body.replayId).then((e) => e?.outcome), { timeout: 10_000 }).toBe('timeout');
    // In words, with what the broker saw: the slow server took it and never answered in time.
    expect((await auditOf(timed.body.replayId))?.detail).toMatch(/^Timed out: no reply within 1 s\. The broker delivered it to (node-a|demo\.node-a) once\.$/);

    const lost = await api<ReplayResult>(agent.baseUrl, '/api/replay', { id: slow.id, target: { server: 'node-z' }, confirm: true, confirmTarget: true });
    expect(lost.status).toBe(200);
    expect(lost.body.routed).toBe(false);
    await expect.poll(() => auditOf(lost.body.replayId).then((e) => e?.outcome), { timeout: 10_000 }).toBe('unroutable');
  });
});
