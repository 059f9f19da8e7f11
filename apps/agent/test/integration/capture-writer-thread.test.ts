/**
 * The capture store written on its writer thread (the compiled agent's default) gives exactly
 * what the inline writer gives, loses nothing on close, and keeps retention. Uses the built
 * agent (`dist/`): the writer thread runs the compiled script.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvelopeFilter } from '@osloscope/shared';
import { createCaptureCore as createBuiltCore } from '../../dist/capture/capture-core.js';
import { createCaptureCore as createSourceCore } from '../../src/capture/capture-core.js';
import { ensureCaptureFile, readLines } from '../../bench/capture-file.js';
import { openBenchDirectory } from '../../bench/pipeline-bench.js';

const N = 3000;
const T0 = 1_700_000_000_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-writer-thread-'));
let file: string;
beforeAll(async () => {
  file = await ensureCaptureFile(dir, N, T0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Core = ReturnType<typeof createSourceCore>;

function open(kind: 'thread' | 'inline', name: string, maxMessages = 10 * N): Core {
  const create = kind === 'thread' ? createBuiltCore : createSourceCore;
  const opts = {
    dataDir: path.join(dir, name),
    retention: { maxMessages, maxBytes: 1e10 },
    showSecrets: false,
    directory: openBenchDirectory(),
    now: () => T0 + 3_600_000,
    timers: false,
    storeWriter: kind,
  };
  return create(opts) as Core;
}

const FILTERS: EnvelopeFilter[] = [{}, { kind: 'call' }, { server: 'compute-02' }, { outcome: 'error' }, { exchange: 'nova' }, { text: 'instance' }];

function view(core: Core) {
  return {
    counts: core.counts(),
    pages: FILTERS.map((f) => core.query(f, { limit: 200 })),
    flows: core.flows({}),
    versions: core.versions({}),
  };
}

describe('the store writer thread', () => {
  it('stores what the inline writer stores: same records, totals, flows and versions', async () => {
    const threaded = open('thread', 'threaded');
    const inline = open('inline', 'inline');
    try {
      expect(threaded.storeHealth().writer).toBe('thread');
      expect(inline.storeHealth().writer).toBe('inline');
      await threaded.importNdjson(readLines(file));
      await inline.importNdjson(readLines(file));
      threaded.flush();
      inline.flush();
      const a = view(threaded);
      expect(a.counts.stored).toBe(N);
      expect(a.pages.every((p) => p.items.length > 0)).toBe(true);
      expect(a).toEqual(view(inline));
    } finally {
      threaded.close();
      inline.close();
    }
  });

  it('answers reads right after ingest, without an explicit flush (reads wait for the writer)', async () => {
    const core = open('thread', 'reads');
    try {
      const lines: string[] = [];
      for await (const l of readLines(file)) if (lines.push(l) >= 500) break;
      await core.importNdjson(lines);
      const page = core.query({}, { limit: 1 });
      expect(page.total).toBe(500);
      const newest = page.items[0];
      expect(newest).toBeDefined();
      expect(core.get(newest!.id)?.id).toBe(newest!.id);
      expect(core.getRaw(newest!.id)?.body?.byteLength).toBeGreaterThan(0);
    } finally {
      core.close();
    }
  });

  it('writes everything it was given before close returns, and a reopened store has it all', async () => {
    const first = open('thread', 'reopen');
    await first.importNdjson(readLines(file));
    first.close();
    const again = open('inline', 'reopen');
    try {
      expect(again.counts().stored).toBe(N);
      expect(again.query({}, { limit: 1 }).total).toBe(N);
    } finally {
      again.close();
    }
  });

  it('keeps retention: the oldest messages are evicted and counted', async () => {
    const core = open('thread', 'retention', 1000);
    try {
      await core.importNdjson(readLines(file));
      core.flush();
      const counts = core.counts();
      expect(counts.stored).toBeLessThanOrEqual(1000);
      expect(counts.stored + counts.evicted).toBe(N);
      const ids = core.query({}, { limit: 1000 }).items.map((r) => r.id);
      expect(Math.min(...ids)).toBe(N - counts.stored + 1);
    } finally {
      core.close();
    }
  });
});

const writerThread = new URL('../../dist/store/writer-thread.js', import.meta.url).href;

/**
 * A capture core whose writer thread is the real one followed by `script` (test code that ends
 * or blocks it), with capture options `extra`.
 */
function coreWithWriter(name: string, script: string, extra: { storeWriterStallMs?: number; maxWriteQueue?: number } = {}): Core {
  const scriptFile = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(scriptFile, `import ${JSON.stringify(writerThread)};\n${script}\n`);
  return createBuiltCore({
    dataDir: path.join(dir, name),
    retention: { maxMessages: 10 * N, maxBytes: 1e10 },
    showSecrets: false,
    directory: openBenchDirectory(),
    now: () => T0 + 3_600_000,
    timers: false,
    storeWriter: 'thread',
    storeWriterScript: pathToFileURL(scriptFile),
    ...extra,
  }) as Core;
}

describe('a store writer thread that dies', () => {
  async function expectFailedOverWithNothingLost(core: Core): Promise<void> {
    try {
      expect(core.storeHealth().writer).toBe('thread');
      await core.importNdjson(readLines(file));
      core.flush();
      expect(core.storeHealth().writer).toBe('inline');
      expect(core.counts()).toMatchObject({ captured: N, stored: N, dropped: 0 });
      expect(core.query({}, { limit: 1 }).total).toBe(N);
    } finally {
      core.close();
    }
  }

  it('fails over to writing on the capture thread, and nothing captured is lost', async () => {
    // Ends 100 ms after it starts, having answered nothing, most likely while the import runs.
    await expectFailedOverWithNothingLost(coreWithWriter('failover', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);\nprocess.exit(3);'));
  });

  it('fails over at once when it dies while the capture thread is blocked waiting for it', async () => {
    // Busy for 3 s (answers nothing), then ends: by then the import is done and the capture
    // thread is blocked in flush(), where the worker's 'exit' event cannot reach it. Before the
    // thread flagged its own end, this waited 60 s and threw.
    const started = Date.now();
    await expectFailedOverWithNothingLost(
      coreWithWriter('failover-blocked', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);\nprocess.exit(3);'),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('a store writer thread that hangs (a disk that stops answering)', () => {
  const STALL_MS = 500;
  const HANG_MS = 4000;

  /** A capture core whose writer thread is the real one, stuck for HANG_MS from its start. */
  function coreWithHungWriter(name: string, maxWriteQueue?: number): { core: Core; started: number } {
    const started = Date.now();
    const hang = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${HANG_MS});`;
    const core = coreWithWriter(name, hang, { storeWriterStallMs: STALL_MS, ...(maxWriteQueue !== undefined ? { maxWriteQueue } : {}) });
    return { core, started };
  }

  async function untilResumed(started: number): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.max(0, started + HANG_MS + 500 - Date.now())));
  }

  it('holds capture up no longer than the stall time, answers reads meanwhile, and writes everything once it moves', async () => {
    const { core, started } = coreWithHungWriter('hung');
    try {
      const t = Date.now();
      await core.importNdjson(readLines(file));
      const page = core.query({}, { limit: 10 });
      expect(Date.now() - t).toBeLessThan(HANG_MS - 1000);
      expect(Date.now() - started).toBeLessThan(HANG_MS);
      // Nothing written yet, nothing lost: still a writer thread (no failover that could write twice).
      expect(core.storeHealth().writer).toBe('thread');
      expect(core.counts()).toMatchObject({ captured: N, stored: 0, dropped: 0 });
      expect(page.total).toBe(0);
      // What health reports (the agent's status is degraded meanwhile, health-report.ts).
      const health = core.storeHealth();
      expect(health).toMatchObject({ writer: 'thread', stalled: true, unwritten: N });
      expect(health.unwrittenBytes).toBeGreaterThan(N * 200);

      await untilResumed(started);
      core.flush();
      expect(core.storeHealth().writer).toBe('thread');
      expect(core.counts()).toMatchObject({ captured: N, stored: N, dropped: 0 });
      expect(core.query({}, { limit: 1 }).total).toBe(N);
      expect(core.storeHealth()).toEqual({ writer: 'thread', stalled: false, unwritten: 0, unwrittenBytes: 0, damage: [], readOnly: null, writeError: null });
    } finally {
      core.close();
    }
  });

  it('drops new messages past the write queue limit while stalled, counts them and marks a gap that says why', async () => {
    const LIMIT = 1500;
    const { core, started } = coreWithHungWriter('hung-drops', LIMIT);
    try {
      const lines: string[] = [];
      for await (const l of readLines(file)) lines.push(l);
      await core.importNdjson(lines.slice(0, 1200));
      core.flush(); // the writer is declared stalled here
      await core.importNdjson(lines.slice(1200));
      expect(Date.now() - started).toBeLessThan(HANG_MS);
      const during = core.counts();
      expect(during.captured).toBe(LIMIT);
      expect(during.dropped).toBeGreaterThanOrEqual(N - LIMIT);

      await untilResumed(started);
      core.flush();
      expect(core.counts()).toMatchObject({ captured: LIMIT, stored: LIMIT, dropped: during.dropped });
      expect(core.query({}, { limit: 1 }).total).toBe(LIMIT);
      const gaps = core.gaps();
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.reason).toMatch(/writer is stalled.*messages dropped/);
    } finally {
      core.close();
    }
  });
});
