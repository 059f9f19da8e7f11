import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { RawSegmentLog } from './raw-segments.js';
import { withPath, writeFailureOf } from './write-failure.js';
import { tempDataDir } from '../../test/support/capture-fixtures.js';

/** An error as Node's fs throws it (`code`, errno message). */
function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}, write`), { code });
}

/** An error as better-sqlite3 throws it (SqliteError: `code`, SQLite's message without it). */
function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, name: 'SqliteError' });
}

describe('writeFailureOf', () => {
  it('says why in the words an operator acts on, with the file and the error as thrown', () => {
    expect(writeFailureOf(withPath(fsError('ENOSPC', 'no space left on device'), '/data/raw/00000001.seg'))).toEqual({
      message: 'no space left on device',
      path: '/data/raw/00000001.seg',
      cause: 'ENOSPC: no space left on device, write',
    });
    expect(writeFailureOf(withPath(sqliteError('SQLITE_FULL', 'database or disk is full'), '/data/capture.sqlite'))).toEqual({
      message: 'no space left on device',
      path: '/data/capture.sqlite',
      cause: 'SQLITE_FULL: database or disk is full',
    });
    expect(writeFailureOf(fsError('EROFS', 'read-only file system')).message).toBe('read-only file system');
    expect(writeFailureOf(sqliteError('SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database')).message).toBe('read-only file system');
    expect(writeFailureOf(sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error')).message).toBe('I/O error');
    expect(writeFailureOf(fsError('EDQUOT', 'disk quota exceeded')).message).toBe('disk quota exceeded');
  });

  it('keeps the message of an error it does not know, and never throws on odd ones', () => {
    expect(writeFailureOf(sqliteError('SQLITE_CONSTRAINT_PRIMARYKEY', 'UNIQUE constraint failed: messages.id'))).toEqual({
      message: 'UNIQUE constraint failed: messages.id',
      path: null,
      cause: 'SQLITE_CONSTRAINT_PRIMARYKEY: UNIQUE constraint failed: messages.id',
    });
    expect(writeFailureOf('boom')).toEqual({ message: 'boom', path: null, cause: 'boom' });
    expect(writeFailureOf(null)).toEqual({ message: 'null', path: null, cause: 'null' });
  });

  it('does not replace the path an error names already (open)', () => {
    const e = Object.assign(fsError('EACCES', 'permission denied'), { path: '/data/raw/00000002.seg' });
    expect(writeFailureOf(withPath(e, '/elsewhere')).path).toBe('/data/raw/00000002.seg');
  });
});

describe('the raw segment log on a full disk', () => {
  it('gives back what a failed append wrote, names the segment, and appends the next batch where it would have gone', () => {
    const dataDir = tempDataDir();
    const log = new RawSegmentLog(dataDir);
    const first = log.append(new Uint8Array(100).fill(1));
    const segmentFile = path.join(dataDir, 'raw', '00000001.seg');
    // Half the batch fits, then the disk is full.
    const write = vi
      .spyOn(fs, 'writeSync')
      .mockImplementationOnce(() => 50)
      .mockImplementationOnce(() => {
        throw fsError('ENOSPC', 'no space left on device');
      });
    try {
      expect(() => log.append(new Uint8Array(100).fill(2))).toThrow(expect.objectContaining({ code: 'ENOSPC', path: segmentFile }));
    } finally {
      write.mockRestore();
    }
    expect(fs.statSync(segmentFile).size).toBe(100);
    const next = log.append(new Uint8Array(100).fill(3));
    expect(next).toEqual({ segment: first.segment, offset: 100 });
    expect(log.read({ segment: 1, offset: 100, length: 100 })).toMatchObject({ lost: 'damaged' }); // not a frame, but its bytes are the 3s
    expect(fs.readFileSync(segmentFile).subarray(100)).toEqual(Buffer.alloc(100, 3));
    log.close();
  });

  it('does not write through a closed descriptor when the next segment cannot be created', () => {
    const dataDir = tempDataDir();
    const log = new RawSegmentLog(dataDir, 150);
    log.append(new Uint8Array(100).fill(1));
    const open = vi.spyOn(fs, 'openSync').mockImplementationOnce(() => {
      throw Object.assign(fsError('ENOSPC', 'no space left on device'), { path: path.join(dataDir, 'raw', '00000002.seg') });
    });
    try {
      expect(() => log.append(new Uint8Array(100).fill(2))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    } finally {
      open.mockRestore();
    }
    expect(log.append(new Uint8Array(100).fill(3))).toEqual({ segment: 2, offset: 0 });
    expect(fs.readFileSync(path.join(dataDir, 'raw', '00000001.seg'))).toEqual(Buffer.alloc(100, 1));
    log.close();
  });
});
