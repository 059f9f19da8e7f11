import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixtureStoreWrites, tempDataDir } from '../../test/support/capture-fixtures.js';
import { CaptureOpenError, captureAccess } from './capture-file.js';
import { CaptureStore } from './capture-store.js';
import { prepareBatch } from './write-batch.js';

const T0 = 1_795_973_550_000;

afterEach(() => vi.restoreAllMocks());

/** As the file system answers for `paths` (root ignores permission bits, so tests cannot make them read-only). */
function unwritable(paths: string[], code: 'EROFS' | 'EACCES'): void {
  const real = fs.accessSync;
  vi.spyOn(fs, 'accessSync').mockImplementation((p, mode) => {
    if (paths.includes(String(p))) throw Object.assign(new Error(`${code}: ${String(p)}`), { code });
    real(p, mode);
  });
}

function capturedStore(): string {
  const dataDir = tempDataDir();
  const store = new CaptureStore(dataDir);
  store.applyBatch(prepareBatch(fixtureStoreWrites(T0).slice(0, 3), {}), { maxMessages: 1000, maxBytes: 1e9 });
  store.close();
  return dataDir;
}

const openError = (dataDir: string): string => {
  try {
    new CaptureStore(dataDir).close();
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureOpenError);
    return (e as Error).message;
  }
  throw new Error('the capture opened');
};

describe('captureAccess', () => {
  it('is writable for a fresh data dir, which it creates', () => {
    const dataDir = path.join(tempDataDir(), 'new', 'capture');
    expect(captureAccess(dataDir)).toEqual({ readOnly: null });
    expect(fs.statSync(dataDir).isDirectory()).toBe(true);
  });

  it('is read-only, saying which path and why, when the data dir or the database cannot be written', () => {
    const dataDir = capturedStore();
    unwritable([dataDir], 'EROFS');
    expect(captureAccess(dataDir)).toEqual({ readOnly: `read-only capture: ${dataDir} is not writable (read-only file system)` });
    // Named absolute, however it was given.
    expect(captureAccess(path.relative(process.cwd(), dataDir))).toEqual(captureAccess(dataDir));
    vi.restoreAllMocks();
    unwritable([path.join(dataDir, 'capture.sqlite')], 'EACCES');
    expect(captureAccess(dataDir)).toEqual({ readOnly: `read-only capture: ${path.join(dataDir, 'capture.sqlite')} is not writable (permission denied)` });
  });

  it('refuses an unwritable data dir that holds no capture, and a data dir that cannot be created', () => {
    const dataDir = tempDataDir();
    unwritable([dataDir], 'EROFS');
    expect(() => captureAccess(dataDir)).toThrow(
      new CaptureOpenError(
        `cannot open the capture at ${path.join(dataDir, 'capture.sqlite')}: there is none, and ${dataDir} is not writable (read-only file system)`,
      ),
    );
    const file = path.join(tempDataDir(), 'a-file');
    fs.writeFileSync(file, '');
    expect(() => captureAccess(path.join(file, 'capture'))).toThrow(/^cannot open the capture at .*: cannot create .*a-file\/capture \(not a directory\)$/);
  });
});

describe('opening the capture', () => {
  it('names the path and the cause for a file that is not a database', () => {
    const dataDir = tempDataDir();
    fs.writeFileSync(path.join(dataDir, 'capture.sqlite'), 'not a database, just text\n'.repeat(100));
    expect(openError(dataDir)).toBe(
      `cannot open the capture at ${path.join(dataDir, 'capture.sqlite')}: not a database (the file is damaged or is not a capture)`,
    );
  });

  it('names the path and the cause for a capture.sqlite that is a directory', () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(path.join(dataDir, 'capture.sqlite'));
    expect(openError(dataDir)).toBe(`cannot open the capture at ${path.join(dataDir, 'capture.sqlite')}: it is a directory`);
  });

  it('opens a capture it cannot write read-only: it reads, it writes nothing', () => {
    const dataDir = capturedStore();
    fs.rmSync(path.join(dataDir, 'raw'), { recursive: true });
    const before = fs.readFileSync(path.join(dataDir, 'capture.sqlite'));
    unwritable([dataDir], 'EROFS');
    const store = new CaptureStore(dataDir);
    expect(store.readOnly).toBe(`read-only capture: ${dataDir} is not writable (read-only file system)`);
    expect(store.totals()).toMatchObject({ stored: 3 });
    expect(store.getRow(1)).toMatchObject({ raw: null, lost: 'raw/00000001.seg is missing' });
    expect(() => store.applyBatch(prepareBatch(fixtureStoreWrites(T0).slice(3, 4), {}), { maxMessages: 1000, maxBytes: 1e9 })).toThrow(/read-only/);
    store.close();
    expect(fs.existsSync(path.join(dataDir, 'raw'))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'capture.sqlite')).equals(before)).toBe(true);
  });

  it('will not open read-only a capture that needs an upgrade, and says so', () => {
    const dataDir = capturedStore();
    const db = new Database(path.join(dataDir, 'capture.sqlite'));
    db.exec("UPDATE meta SET value = value - 1 WHERE key = 'summaryVersion'");
    db.close();
    unwritable([dataDir], 'EROFS');
    expect(openError(dataDir)).toMatch(/: it was written by an older osloscope and is upgraded when opened writable once; a read-only capture cannot be$/);
  });
});
