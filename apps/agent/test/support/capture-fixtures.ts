/**
 * Unit test helpers: the real captured firehose fixture as RawCaptures (and as store writes), a
 * ConnectionDirectory seeded from the management snapshot taken during the same run, and a
 * capture core in a fresh data directory. Not exported from index.ts (the integration and e2e
 * support, `@osloscope/agent/test-support`): it loads the capture core and SQLite, which e2e
 * has no use for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RawCapture } from '../../src/ports/raw-capture.js';
import type { ConnectionDirectory } from '../../src/ports/connection-directory.js';
import { createConnectionDirectory } from '../../src/domain/in-memory-connection-directory.js';
import type { Verifier } from '../../src/signing/verifier.js';
import { createCaptureCore, type CaptureCore, type CaptureCoreOptions } from '../../src/capture/capture-core.js';
import { agentDecodeOptions, decodeRaw } from '../../src/domain/decode-raw.js';
import { buildRecord } from '../../src/capture/record-builder.js';
import { bodySearchTextOf } from '../../src/store/search-text.js';
import type { StoreWrite } from '../../src/store/write-batch.js';
import type { Logger } from '../../src/log.js';
import { FIXTURES_DIR } from './paths.js';

export const SOURCE = 'rabbit-test';

interface FixtureLine {
  routingKey: string;
  exchange: string;
  properties: { headers: Record<string, unknown> };
  bodyBase64: string;
}

export function fixtureLines(): FixtureLine[] {
  return fs
    .readFileSync(path.join(FIXTURES_DIR, 'oslo-firehose-sample.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FixtureLine);
}

/** Fixture line n (1-based) is received at `t0 + n * stepMs`. */
export function fixtureRaws(t0: number, stepMs = 10): RawCapture[] {
  return fixtureLines().map((line, i) => ({
    source: SOURCE,
    receivedAt: t0 + (i + 1) * stepMs,
    origin: 'firehose',
    exchange: line.exchange,
    routingKey: line.routingKey,
    headers: line.properties.headers,
    properties: {},
    body: new Uint8Array(Buffer.from(line.bodyBase64, 'base64')),
  }));
}

/** Every message published in the real firehose fixture, as the capture builds its record: store inserts, ids from 1. */
export function fixtureStoreWrites(t0: number): StoreWrite[] {
  const writes: StoreWrite[] = [];
  for (const raw of fixtureRaws(t0)) {
    const decoded = decodeRaw(raw, agentDecodeOptions());
    if (decoded.broker?.event !== 'publish') continue;
    const record = buildRecord(
      writes.length + 1,
      decoded,
      { status: 'unsigned', reason: null },
      {
        source: raw.source,
        capturedAt: raw.receivedAt,
        connection: decoded.broker.connection,
        process: null,
        replayOf: null,
      },
    );
    writes.push({ record, raw, insert: true, bodyText: bodySearchTextOf(record) });
  }
  return writes;
}

interface Snapshot {
  connections: { name: string; client_properties: { connection_name?: string } }[];
  consumers: { queue: string; channel_details: { connection_name: string } }[];
}

/** What `/api/connections` and `/api/consumers` said during the capture, as directory facts. */
export function snapshotFacts(): { processes: Record<string, string>; consumers: Record<string, string[]> } {
  const snap = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'oslo-connections-snapshot.json'), 'utf8')) as Snapshot;
  const processes: Record<string, string> = {};
  for (const c of snap.connections) if (c.client_properties.connection_name) processes[c.name] = c.client_properties.connection_name;
  const consumers: Record<string, string[]> = {};
  for (const c of snap.consumers) (consumers[c.channel_details.connection_name] ??= []).push(c.queue);
  return { processes, consumers };
}

/** A directory that knows what `/api/connections` and `/api/consumers` said during the capture. */
export function seededDirectory(): ConnectionDirectory {
  const directory = createConnectionDirectory();
  directory.updateFromManagement(SOURCE, snapshotFacts());
  return directory;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-capture-'));
}

/**
 * A capture core as the unit tests run it: a fresh data directory, the fixture's directory,
 * no timers (tests call flush()), secrets masked. `now` is the test's clock.
 */
export function openTestCore(opts: {
  now: () => number;
  dataDir?: string;
  maxMessages?: number;
  showSecrets?: boolean;
  directory?: ConnectionDirectory;
  verifier?: Verifier;
  onDamage?: CaptureCoreOptions['onDamage'];
  log?: Logger;
  maxWriteQueue?: number;
}): CaptureCore {
  return createCaptureCore({
    dataDir: opts.dataDir ?? tempDataDir(),
    retention: { maxMessages: opts.maxMessages ?? 100_000, maxBytes: 1e9 },
    showSecrets: opts.showSecrets ?? false,
    directory: opts.directory ?? seededDirectory(),
    now: opts.now,
    timers: false,
    ...(opts.verifier ? { verifier: opts.verifier } : {}),
    ...(opts.onDamage ? { onDamage: opts.onDamage } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.maxWriteQueue !== undefined ? { maxWriteQueue: opts.maxWriteQueue } : {}),
  });
}
