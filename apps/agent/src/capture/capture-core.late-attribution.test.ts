/**
 * Servers and client processes the directory learns AFTER their messages were captured
 * (the management API is polled every 5 s; node-a never gets a direct message, so only the
 * API can name its connection), and imports of masked exports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import { createConnectionDirectory } from '../domain/in-memory-connection-directory.js';
import type { CaptureCore } from './capture-core.js';
import { fixtureRaws, snapshotFacts, SOURCE, openTestCore } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;
/** Fixture line n is received at T0 + 10 n ms. */
const at = (line: number) => T0 + line * 10;
const CLIENT_SEND = '127.0.0.1:54338 -> 127.0.0.1:5672';
const CLIENT_PROCESS = /^capture_fixtures\.py:12137:/;

let core: CaptureCore | null = null;
afterEach(() => core?.close());

function open(directory = createConnectionDirectory()): CaptureCore {
  core = openTestCore({ directory, now: () => T0 + 1000 });
  return core;
}

const byLine = (records: EnvelopeRecord[], line: number): EnvelopeRecord => {
  const r = records.find((x) => x.capturedAt === at(line));
  if (!r) throw new Error(`no record for line ${line}`);
  return r;
};

describe('servers and processes named after capture', () => {
  /**
   * S01..S06 (lines 1-21) are captured before the first management refresh; the refresh
   * comes, S07.. are captured; the servers exit and the next refresh no longer lists them;
   * only then does the capture re-check (its 500 ms timer, here flush()).
   */
  function captureAcrossRefreshes() {
    const directory = createConnectionDirectory();
    const c = open(directory);
    const raws = fixtureRaws(T0);
    for (const raw of raws.slice(0, 21)) c.ingest(raw);
    const before = c.query({}, { limit: 1000 }).items;
    const updates: EnvelopeRecord[] = [];
    c.subscribe({ onRecord: (r, isNew) => (isNew ? undefined : updates.push(r)) });
    directory.updateFromManagement(SOURCE, snapshotFacts());
    for (const raw of raws.slice(21)) c.ingest(raw);
    directory.updateFromManagement(SOURCE, { processes: {}, consumers: {} });
    c.flush();
    // Read lazily: listing records fills in names on the way out, which must not be what makes flows right.
    return { c, before, updates, records: () => c.query({}, { limit: 1000 }).items };
  }

  it('was unattributed at capture time (the situation being fixed)', () => {
    const { before } = captureAcrossRefreshes();
    expect(byLine(before, 1).server).toBeNull();
    expect(byLine(before, 15).reached).toContain('demo_fanout_c714412591334f11a08d5f8a61897c60');
    expect(byLine(before, 1).client).toMatchObject({ connection: CLIENT_SEND, process: null });
  });

  it('names the server of a round-robin call and of its reply, in lists, details and filters', () => {
    const { c, records } = captureAcrossRefreshes();
    const call = byLine(records(), 1);
    expect(call.server).toBe('node-a');
    expect(call.client?.process).toMatch(CLIENT_PROCESS);
    const reply = c.get(call.outcome?.replyId ?? -1);
    expect(reply).toMatchObject({ kind: 'reply', requestId: call.id, server: 'node-a' });
    expect(c.get(call.id)?.server).toBe('node-a');
    // S01 echo + reply, S03 record_event, S05 fanout, S07 echo 2.0, S09 get_stats, S12 echo 1.1 (+ replies).
    const onA = c.query({ server: 'node-a' }, { limit: 100 }).items;
    expect(onA.map((r) => r.capturedAt).sort()).toEqual([1, 3, 9, 15, 22, 24, 30, 32, 42, 44].map(at));
  });

  it('names the servers a fanout cast reached', () => {
    const { records } = captureAcrossRefreshes();
    expect(byLine(records(), 15).reached?.slice().sort()).toEqual(['node-a', 'node-b']);
  });

  it('tells listeners about each record it could name', () => {
    const { updates } = captureAcrossRefreshes();
    const seen = (line: number) => updates.filter((u) => u.capturedAt === at(line));
    expect(seen(1).at(-1)).toMatchObject({ server: 'node-a', client: { process: expect.stringMatching(CLIENT_PROCESS) as unknown } });
    expect(seen(3).at(-1)?.server).toBe('node-a'); // S01's reply follows its call
    expect(seen(15).at(-1)?.reached?.slice().sort()).toEqual(['node-a', 'node-b']);
    expect(seen(9).at(-1)?.server).toBe('node-a');
  });

  it('shows node-a and one client per flow and version', () => {
    const { c } = captureAcrossRefreshes();
    const flows = c.flows({});
    const echo12 = flows.find((f) => f.target.topic === 'demo' && f.target.version === '1.2' && f.target.server === null);
    expect(echo12?.servers).toEqual(['node-a', 'node-b']);
    expect(echo12?.clients).toEqual([expect.stringMatching(CLIENT_PROCESS)]);
    expect(flows.find((f) => f.target.fanout)?.servers).toEqual(['node-a', 'node-b']);
    const clients = new Set(flows.flatMap((f) => f.clients));
    expect([...clients]).toEqual([expect.stringMatching(CLIENT_PROCESS)]);

    const demo = c.versions({}).find((r) => r.exchange === 'openstack' && r.topic === 'demo' && r.namespace === null);
    // node-a accepted 1.2 in S01: only known once S01 is attributed (S12's 1.1 came after the refresh).
    expect(demo?.servers.find((s) => s.server === 'node-a')).toEqual({ server: 'node-a', highestAccepted: '1.2', lowestRejected: '2.0' });
    for (const v of demo?.versions ?? []) expect(v.clients, v.version).toEqual([expect.stringMatching(CLIENT_PROCESS)]);
  });

  it('updates heartbeat replies too when the call is named later', () => {
    const directory = createConnectionDirectory();
    const c = open(directory);
    const raws = fixtureRaws(T0);
    // S10: call (34), deliver to node-b (35), two heartbeats and the final reply; node-b not named yet.
    for (const line of [34, 35, 36, 37, 38, 39, 40, 41]) c.ingest(raws[line - 1]!);
    expect(c.query({ kind: 'reply' }, {}).items.map((r) => r.server)).toEqual([null, null, null]);
    directory.updateFromManagement(SOURCE, snapshotFacts());
    c.flush();
    const replies = c.query({ kind: 'reply' }, {}).items;
    expect(replies.map((r) => [r.reply?.heartbeat, r.server])).toEqual([
      [false, 'node-b'],
      [true, 'node-b'],
      [true, 'node-b'],
    ]);
  });
});

describe('import of a masked export', () => {
  const TOKEN = 'gAAAAABsecret' + 'x'.repeat(80);

  /** Lines 1-2 of the fixture with an auth token in the call's context. */
  function withToken() {
    const [publish, deliver] = fixtureRaws(T0);
    const outer = JSON.parse(Buffer.from(publish!.body).toString('utf8')) as Record<string, string>;
    const inner = JSON.parse(outer['oslo.message']!) as Record<string, unknown>;
    inner['_context_auth_token'] = TOKEN;
    outer['oslo.message'] = JSON.stringify(inner);
    const body = new Uint8Array(Buffer.from(JSON.stringify(outer)));
    return [
      { ...publish!, body },
      { ...deliver!, body },
    ];
  }

  it('keeps the size on the wire and says which fields were masked', async () => {
    const directory = createConnectionDirectory();
    directory.updateFromManagement(SOURCE, snapshotFacts());
    const source = open(directory);
    const raws = withToken();
    for (const raw of raws) source.ingest(raw);
    const original = source.get(source.query({}, {}).items[0]!.id)!;
    const lines: string[] = [];
    source.exportNdjson({}, (l) => lines.push(l));
    source.close();
    expect(original.bodySize).toBe(raws[0]!.body.byteLength);
    expect(original.maskedFields).toEqual(['oslo.message._context_auth_token']);

    const target = open();
    expect(await target.importNdjson(lines)).toEqual({ imported: 1, errors: 0 });
    const listed = target.query({}, {}).items[0]!;
    expect(listed.bodySize).toBe(original.bodySize);
    expect(target.query({}, {}).items).toHaveLength(1);
    expect(listed.deliveries).toHaveLength(1);
    expect(listed).not.toHaveProperty('maskedAtExport');
    const detail = target.get(listed.id)!;
    expect(detail).toMatchObject({ bodySize: original.bodySize, maskedFields: ['oslo.message._context_auth_token'], bodyMaskedAtExport: true });
    expect(Buffer.from(detail.rawBase64, 'base64').toString('utf8')).not.toContain('gAAAAABsecret');
    expect(original.bodyMaskedAtExport).toBeUndefined();

    // Exported again, the line still says what the first export masked.
    const again: string[] = [];
    target.exportNdjson({}, (l) => again.push(l));
    expect((JSON.parse(again[0]!) as { masked: string[] }).masked).toEqual(['oslo.message._context_auth_token']);
    expect((JSON.parse(again[0]!) as { record: EnvelopeRecord }).record.bodySize).toBe(original.bodySize);
  });
});
