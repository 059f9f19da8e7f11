import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDirPrivate } from './private-data-dir.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const umaskBefore = process.umask();
afterEach(() => void process.umask(umaskBefore));

describe('private data dir', () => {
  it('creates the data dir 0700, and files created afterwards are 0600', () => {
    process.umask(0o022);
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-private-')), 'data');
    makeDataDirPrivate(dir);
    expect(mode(dir)).toBe(0o700);
    fs.writeFileSync(path.join(dir, 'capture.sqlite-wal'), 'x');
    fs.mkdirSync(path.join(dir, 'raw'));
    expect(mode(path.join(dir, 'capture.sqlite-wal'))).toBe(0o600);
    expect(mode(path.join(dir, 'raw'))).toBe(0o700);
  });

  it('tightens a data dir an older version left readable by everyone, without following links out of it', () => {
    process.umask(0o022);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-private-'));
    const dir = path.join(root, 'data');
    fs.mkdirSync(path.join(dir, 'raw'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'capture.sqlite'), 'x', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'raw', '000001.seg'), 'x', { mode: 0o644 });
    const outside = path.join(root, 'elsewhere');
    fs.writeFileSync(outside, 'x', { mode: 0o644 });
    fs.symlinkSync(outside, path.join(dir, 'link'));
    const result = makeDataDirPrivate(dir);
    expect([mode(dir), mode(path.join(dir, 'raw')), mode(path.join(dir, 'capture.sqlite')), mode(path.join(dir, 'raw', '000001.seg'))]).toEqual([
      0o700, 0o700, 0o600, 0o600,
    ]);
    expect(mode(outside)).toBe(0o644);
    expect(result.tightened).toHaveLength(4);
    expect(result.problems).toEqual([]);
  });
});
