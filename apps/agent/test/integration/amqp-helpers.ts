/**
 * Shared bits of the amqp-*.test.ts integration tests: the broker side of a source test, a
 * recording CaptureService and ConnectionDirectory, polling, and raw management lookups.
 */
import type { CaptureGap } from '@osloscope/shared';
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import type { CaptureService } from '../../src/ports/capture-service.js';
import type { ConnectionDirectory } from '../../src/ports/connection-directory.js';
import type { RawCapture } from '../../src/ports/raw-capture.js';
import type { CaptureSource } from '../../src/ports/source.js';
import { createTestVhost, managementRequest, vhostSegment, type TestVhost } from '../support/management.js';
import type { Logger } from '../../src/log.js';
import { loggerFrom, silentLogger } from '../support/loggers.js';

/** A source test file's broker side: set `app` and `source` when made, they are closed with the vhost after the file. */
export interface SourceTestBroker {
  /** The file's own vhost (from its first test on). */
  readonly vhost: TestVhost;
  /** The test's application connection. */
  app: ChannelModel | null;
  /** The source under test (stopped after the file if a test left it running). */
  source: CaptureSource | null;
}

/** Registers the file's beforeAll / afterAll: a fresh vhost, and everything closed and deleted after. */
export function useSourceTestBroker(prefix: string): SourceTestBroker {
  let vhost: TestVhost | null = null;
  const broker: SourceTestBroker = {
    get vhost(): TestVhost {
      if (!vhost) throw new Error('the test vhost exists only once the tests run');
      return vhost;
    },
    app: null,
    source: null,
  };
  beforeAll(async () => {
    vhost = await createTestVhost(prefix);
  });
  afterAll(async () => {
    await broker.source?.stop();
    await broker.app?.close().catch(() => undefined);
    await vhost?.cleanup();
  });
  return broker;
}

export interface RecordingCapture extends CaptureService {
  raws: RawCapture[];
  /** Every markGap call, in order. */
  marked: CaptureGap[];
  dropped: number;
}

const unused = (what: string) => () => {
  throw new Error(`${what} is not used by the sources`);
};

/** Records what a source hands to the capture core (ingest, markGap, countDropped). */
export function recordingCapture(): RecordingCapture {
  const rec: RecordingCapture = {
    raws: [],
    marked: [],
    dropped: 0,
    ingest: (raw) => void rec.raws.push(raw),
    markGap: (gap) => void rec.marked.push(gap),
    countDropped: (n) => void (rec.dropped += n),
    acceptsMore: () => true,
    linkReplay: unused('linkReplay'),
    query: unused('query'),
    get: unused('get'),
    getRaw: unused('getRaw'),
    flows: unused('flows'),
    versions: unused('versions'),
    gaps: () => rec.marked,
    counts: unused('counts'),
    storeHealth: unused('storeHealth'),
    exportNdjson: unused('exportNdjson'),
    importNdjson: unused('importNdjson'),
    subscribe: () => () => undefined,
    flush: () => undefined,
    close: () => undefined,
  };
  return rec;
}

export interface RecordingDirectory extends ConnectionDirectory {
  updates: Array<{ source: string; facts: { processes: Record<string, string>; consumers: Record<string, string[]> } }>;
}

export function recordingDirectory(): RecordingDirectory {
  const dir: RecordingDirectory = {
    updates: [],
    serverFor: () => null,
    processFor: () => null,
    learnDelivery: () => undefined,
    updateFromManagement: (source, facts) => void dir.updates.push({ source, facts }),
  };
  return dir;
}

/** Poll until `check` returns a truthy value (returned) or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface QueueFacts {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  exclusive: boolean;
  arguments?: Record<string, unknown>;
  messages?: number;
}
export interface ExchangeFacts {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
}

export const listQueues = (vhost: string) =>
  managementRequest<QueueFacts[]>('GET', `/api/queues/${vhostSegment(vhost)}?columns=name,durable,auto_delete,exclusive,arguments,messages`);
export const listExchanges = (vhost: string) =>
  managementRequest<ExchangeFacts[]>('GET', `/api/exchanges/${vhostSegment(vhost)}?columns=name,type,durable,auto_delete`);

export { silentLogger };

/** Log lines a source wrote, for asserting what the operator is told. */
export function recordingLog(): { lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>; log: Logger } {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  return { lines, log: loggerFrom((level, msg, fields) => void lines.push({ level, msg, ...(fields ? { fields } : {}) })) };
}
