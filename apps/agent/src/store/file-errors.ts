/** File-system errors in words, for messages a person reads (health, the log, an exit). */

const CAUSES: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'exists and is not a directory',
  ENOSPC: 'no space left on device',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** The error code of a Node file-system error, if it has one. */
export function errorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** e.g. `read-only file system` for EROFS; the error's own message for codes without words here. */
export function fileErrorWords(err: unknown): string {
  const code = errorCode(err);
  if (code !== null && CAUSES[code]) return CAUSES[code];
  return err instanceof Error ? err.message : String(err);
}
