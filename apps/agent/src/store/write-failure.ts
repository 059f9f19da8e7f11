/**
 * Why a store write failed, in the words an operator acts on ("no space left on device") and
 * with the file it failed on: the same for the raw segment log's fs errors (ENOSPC, EROFS, EIO)
 * and SQLite's (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR_*).
 */

/** A failed store write as the writer reports it (plain data: it crosses from the writer thread). */
export interface StoreWriteFailure {
  /** The cause in words, e.g. `no space left on device`. */
  message: string;
  /** The file the write failed on, when known. */
  path: string | null;
  /** The error as thrown, e.g. `SQLITE_FULL: database or disk is full` (for the log). */
  cause: string;
}

/** fs error codes and SQLite result codes (extended ones by prefix) → words. */
const CAUSES: Array<[RegExp, string]> = [
  [/^(ENOSPC|SQLITE_FULL)$/, 'no space left on device'],
  [/^EDQUOT$/, 'disk quota exceeded'],
  [/^(EROFS|SQLITE_READONLY)/, 'read-only file system'],
  [/^(EIO|SQLITE_IOERR)/, 'I/O error'],
  [/^(EACCES|EPERM|SQLITE_PERM|SQLITE_AUTH)/, 'permission denied'],
  [/^SQLITE_CORRUPT/, 'the database file is damaged'],
];

const codeOf = (e: unknown): string | null => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

/**
 * `e` with `file` as its path, unless it names one already (an fs error of open() does; one of
 * write() on a descriptor, or SQLite's, does not). Returns `e` for rethrowing.
 */
export function withPath(e: unknown, file: string): unknown {
  if (e instanceof Error && typeof (e as { path?: unknown }).path !== 'string') Object.assign(e, { path: file });
  return e;
}

export function writeFailureOf(e: unknown): StoreWriteFailure {
  const code = codeOf(e);
  const text = e instanceof Error ? e.message : String(e);
  const path = (e as { path?: unknown } | null)?.path;
  const words = code === null ? undefined : CAUSES.find(([pattern]) => pattern.test(code))?.[1];
  return {
    message: words ?? text,
    path: typeof path === 'string' ? path : null,
    // SQLite's messages do not name their code; fs errors' do ("ENOSPC: no space left on device, write").
    cause: code !== null && !text.startsWith(code) ? `${code}: ${text}` : text,
  };
}
