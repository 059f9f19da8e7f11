/**
 * oslo.messaging RPC version rules (oslo-wire-format §5).
 *
 * `isVersionCompatible` reproduces `oslo_messaging._utils.version_is_compatible`
 * step by step, including which parts Python actually converts with `int()`, so the
 * debugger predicts the same UnsupportedVersion / RPCVersionCapError a real
 * dispatcher or client would produce.
 */

/** A parsed `major.minor[.rev]` RPC version. */
export interface RpcVersion {
  major: number;
  minor: number;
  /** Missing revision counts as 0, as in oslo. */
  rev: number;
}

/**
 * Python's `int(str)` for the forms that occur in version strings: optional
 * surrounding whitespace, optional sign, digits with single `_` separators.
 * Returns null where Python would raise ValueError.
 */
function pythonInt(s: string): number | null {
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(s);
  if (!m) return null;
  const n = Number((m[2] ?? '').replaceAll('_', ''));
  return m[1] === '-' ? -n : n;
}

/**
 * Strict parse of an RPC version: `"X.Y"` or `"X.Y.Z"`, non-negative integers.
 * Anything else (including `"1"`, `"1.2.3.4"`, `"v1.2"`, `""`) → null.
 */
export function parseVersion(s: string | null | undefined): RpcVersion | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), rev: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * oslo's `version_is_compatible(imp_version, version)`:
 * - `implemented` null → true (no cap / no endpoint version constraint);
 * - `requested` null → false;
 * - majors equal, `requested.minor ≤ implemented.minor`, and when the minors are equal
 *   `requested.rev ≤ implemented.rev` (missing rev = 0, so "1.3.1" is NOT compatible with "1.3").
 *
 * Where Python would raise (a part is not an integer, or a part is missing), this
 * returns false instead of throwing: the message would not be dispatched either way.
 * Like Python, parts that the comparison never reaches are not checked
 * (e.g. `("1.3", "1.2.x")` is true) and parts after the third are ignored.
 */
export function isVersionCompatible(implemented: string | null, requested: string | null): boolean {
  if (implemented === null) return true;
  if (requested === null) return false;
  const req = requested.split('.');
  const imp = implemented.split('.');

  const reqMajor = pythonInt(req[0] ?? '');
  const impMajor = pythonInt(imp[0] ?? '');
  if (reqMajor === null || impMajor === null) return false;
  if (reqMajor !== impMajor) return false;

  // Python indexes [1] unguarded: a missing minor raises IndexError.
  if (req[1] === undefined || imp[1] === undefined) return false;
  const reqMinor = pythonInt(req[1]);
  const impMinor = pythonInt(imp[1]);
  if (reqMinor === null || impMinor === null) return false;
  if (reqMinor > impMinor) return false;
  if (reqMinor < impMinor) return true;

  const reqRev = req[2] === undefined ? 0 : pythonInt(req[2]);
  const impRev = imp[2] === undefined ? 0 : pythonInt(imp[2]);
  if (reqRev === null || impRev === null) return false;
  return reqRev <= impRev;
}

/**
 * Orders versions numerically (major, minor, rev), for sorting and picking the highest
 * version seen. Unparseable versions (and null) sort before every valid one, and
 * compare among themselves as strings so the order is total and stable.
 */
export function compareVersions(a: string | null, b: string | null): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa && pb) return pa.major - pb.major || pa.minor - pb.minor || pa.rev - pb.rev;
  if (pa) return 1;
  if (pb) return -1;
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
