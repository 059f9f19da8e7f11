import fs from 'node:fs';
import path from 'node:path';
import type { StoreDamage } from '@osloscope/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixtureRaws, openTestCore, tempDataDir } from '../../test/support/capture-fixtures.js';
import { ReadOnlyCaptureError } from '../ports/capture-service.js';
import type { CaptureCore } from './capture-core.js';

const T0 = 1_795_973_550_000;

afterEach(() => vi.restoreAllMocks());

function open(dataDir: string, onDamage?: (d: StoreDamage) => void): CaptureCore {
  return openTestCore({ dataDir, now: () => T0 + 1000, ...(onDamage ? { onDamage } : {}) });
}

/** The fixture captured into a fresh data dir (one raw segment), closed. */
function captured(): { dataDir: string; stored: number } {
  const dataDir = tempDataDir();
  const core = open(dataDir);
  for (const raw of fixtureRaws(T0)) core.ingest(raw);
  core.flush();
  const stored = core.counts().stored;
  core.close();
  return { dataDir, stored };
}

describe('a capture whose raw segment is lost', () => {
  it('reports it once, lists every record, answers each detail with the reason, and exports a trailer that counts them', () => {
    const { dataDir, stored } = captured();
    const file = path.join(dataDir, 'raw', '00000001.seg');
    fs.rmSync(file);
    const reported: StoreDamage[] = [];
    const core = open(dataDir, (d) => reported.push(d));
    try {
      const damage = { problem: `raw/00000001.seg is missing: ${stored} records' raw events are lost`, records: stored, path: file };
      expect(reported).toEqual([damage]);
      expect(core.storeHealth()).toMatchObject({ damage: [damage], readOnly: null });

      const items = core.query({}, { limit: 1000 }).items;
      expect(items).toHaveLength(stored);
      const call = items.find((r) => r.kind === 'call')!;
      const detail = core.get(call.id)!;
      expect(detail).toMatchObject({ id: call.id, kind: 'call', method: call.method, rawBase64: '', properties: {}, broker: null });
      expect(detail.rawMissing).toMatch(/^The raw event of this message is lost: raw\/00000001\.seg is missing\. /);
      expect(core.getRaw(call.id)).toMatchObject({ body: null, rawMissing: 'raw/00000001.seg is missing' });

      const lines: string[] = [];
      expect(core.exportNdjson({}, (l) => lines.push(l))).toEqual({
        lines: 0,
        missing: stored,
        reasons: [`raw/00000001.seg is missing: ${stored} records left out`],
      });
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ trailer: { lines: 0, missing: stored, reasons: [expect.any(String)] } }]);
      expect(reported).toHaveLength(1); // the reads found nothing new
    } finally {
      core.close();
    }
  });
});

describe('a capture it cannot write', () => {
  it('is opened read-only for browsing: nothing captured, imports refused with the reason', async () => {
    const { dataDir, stored } = captured();
    const real = fs.accessSync;
    vi.spyOn(fs, 'accessSync').mockImplementation((p, mode) => {
      if (p === dataDir) throw Object.assign(new Error('EROFS'), { code: 'EROFS' });
      real(p, mode);
    });
    const core = open(dataDir);
    try {
      const readOnly = `read-only capture: ${dataDir} is not writable (read-only file system)`;
      expect(core.storeHealth()).toMatchObject({ readOnly, damage: [] });
      expect(core.query({}, { limit: 1000 }).items).toHaveLength(stored);
      core.ingest(fixtureRaws(T0 + 60_000)[0]!);
      core.flush();
      expect(core.counts()).toMatchObject({ captured: stored, stored });
      await expect(core.importNdjson([])).rejects.toThrow(new ReadOnlyCaptureError(`${readOnly}: nothing can be imported into it`));
    } finally {
      core.close();
    }
  });
});
