/**
 * Opening the capture's SQLite file: read-write when its data dir allows it, read-only for
 * browsing when it does not (a read-only mount, a capture copied from another machine or user),
 * and otherwise an error a person can act on: the path and the cause, never SQLite's bare
 * `unable to open database file`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { errorCode, fileErrorWords } from './file-errors.js';

// A WAL database closed cleanly leaves no `-shm` file, and SQLite cannot read one without it
// unless it may create it or is told the file is immutable, which takes a `file:` URI. Node's
// better-sqlite3 reads this when its native module loads (on the first `new Database`), so it is
// set before that. It only changes the meaning of names that start with `file:`; the store opens
// plain absolute paths otherwise.
process.env['SQLITE_USE_URI'] ??= '1';

export const CAPTURE_FILE = 'capture.sqlite';

/** The capture cannot be opened at all: the message names the path and the cause. */
export class CaptureOpenError extends Error {
  override name = 'CaptureOpenError';
}

/** How the capture can be opened: read-write, or read-only (and why, in words). */
export type CaptureAccess = { readOnly: null } | { readOnly: string };

/** The first of `paths` that cannot be written, and why; null when all can (or do not exist). */
function unwritable(paths: string[]): { path: string; cause: string } | null {
  for (const p of paths) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      if (errorCode(e) !== 'ENOENT') return { path: p, cause: fileErrorWords(e) };
    }
  }
  return null;
}

/**
 * Whether the capture in `dataDir` can be written; creates the data dir when missing.
 * @throws CaptureOpenError when there is no capture and none can be made there
 */
export function captureAccess(dataDirGiven: string): CaptureAccess {
  // Messages name absolute paths: `.osloscope` says little in a log read later, elsewhere.
  const dataDir = path.resolve(dataDirGiven);
  const file = path.join(dataDir, CAPTURE_FILE);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new CaptureOpenError(`cannot open the capture at ${file}: cannot create ${dataDir} (${fileErrorWords(e)})`);
  }
  const denied = unwritable([dataDir, file, path.join(dataDir, 'raw')]);
  if (denied === null) return { readOnly: null };
  if (!fs.existsSync(file)) {
    throw new CaptureOpenError(`cannot open the capture at ${file}: there is none, and ${denied.path} is not writable (${denied.cause})`);
  }
  return { readOnly: `read-only capture: ${denied.path} is not writable (${denied.cause})` };
}

/** Why opening or reading `file` failed, in words: SQLite's error, or the file system's beneath it. */
function causeOf(file: string, err: unknown): string {
  const code = errorCode(err) ?? '';
  if (code === 'SQLITE_NOTADB') return 'not a database (the file is damaged or is not a capture)';
  if (code.startsWith('SQLITE_CORRUPT')) return 'the database is damaged (SQLite: database disk image is malformed)';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'it is locked by another process';
  if (code === 'SQLITE_FULL') return 'no space left on device';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_READONLY')) {
    // SQLite says only that it could not: the file system tells why.
    try {
      if (fs.statSync(file).isDirectory()) return 'it is a directory';
      fs.closeSync(fs.openSync(file, 'r'));
    } catch (e) {
      return fileErrorWords(e);
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/** An error for a capture that failed to open (or to be read at open), naming the file and the cause. */
export function captureOpenError(dataDir: string, err: unknown): CaptureOpenError {
  if (err instanceof CaptureOpenError) return err;
  const file = path.resolve(dataDir, CAPTURE_FILE);
  return new CaptureOpenError(`cannot open the capture at ${file}: ${causeOf(file, err)}`);
}

/**
 * Open the capture database of `dataDir`, read-only when `access` says so. A read-only WAL
 * database without its `-shm` file (closed cleanly, on a read-only file system) can only be
 * read as immutable: nothing else may change it meanwhile, which a read-only file system
 * ensures. Its first read happens here, so a file that is not a database fails here.
 * @throws CaptureOpenError
 */
export function openCaptureDatabase(dataDir: string, access: CaptureAccess): Database.Database {
  const file = path.resolve(dataDir, CAPTURE_FILE);
  const firstRead = (db: Database.Database): Database.Database => {
    try {
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  };
  try {
    if (access.readOnly === null) return firstRead(new Database(file));
    try {
      return firstRead(new Database(file, { readonly: true, fileMustExist: true }));
    } catch (e) {
      if (errorCode(e) !== 'SQLITE_CANTOPEN') throw e;
      return firstRead(new Database(`file:${pathToFileURL(file).pathname}?immutable=1`, { readonly: true }));
    }
  } catch (e) {
    throw captureOpenError(dataDir, e);
  }
}
