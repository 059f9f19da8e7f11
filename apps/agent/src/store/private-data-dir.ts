/**
 * The data dir holds every captured message, tokens included unless masked: only the agent's
 * own user may read it. The dir is made 0700 and the files in it 0600 (also a data dir an older
 * version left world-readable), and the process umask is 077, so every file created later
 * (SQLite's WAL and SHM, new raw segments, the replay audit) is private from its first byte.
 */
import fs from 'node:fs';
import path from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface PrivacyResult {
  /** Files and dirs whose mode was tightened (an older data dir). */
  tightened: string[];
  /** What could not be changed (e.g. a read-only file system), with why. */
  problems: string[];
}

/** Create `dataDir` if needed and make it and everything in it private to the agent's user. */
export function makeDataDirPrivate(dataDir: string): PrivacyResult {
  process.umask(0o077);
  const result: PrivacyResult = { tightened: [], problems: [] };
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  } catch (e) {
    // Opening the store says what is wrong with the path, in its own words.
    result.problems.push(`${dataDir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return result;
  }
  const visit = (p: string, depth: number): void => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(p);
    } catch (e) {
      result.problems.push(`${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return;
    }
    if (stat.isSymbolicLink()) return; // never follow a link out of the data dir
    const want = stat.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((stat.mode & 0o777) !== want) {
      try {
        fs.chmodSync(p, want);
        result.tightened.push(p);
      } catch (e) {
        result.problems.push(`${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    // The data dir holds capture.sqlite*, replay-audit.ndjson and raw/*.seg: two levels.
    if (stat.isDirectory() && depth < 2) {
      for (const name of fs.readdirSync(p)) visit(path.join(p, name), depth + 1);
    }
  };
  visit(dataDir, 0);
  return result;
}
