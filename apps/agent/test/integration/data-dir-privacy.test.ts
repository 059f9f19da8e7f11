/**
 * The capture holds tokens unless masked: the agent's data dir and every file in it must be
 * readable by the agent's user only, from the first byte written (issue #25, secrets at rest).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, waitUntil, type RunningAgent } from '../support/index.js';

let agent: RunningAgent | undefined;
afterAll(async () => {
  await agent?.stop();
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Every file and dir under `dir` with a mode other than 0600 / 0700. */
function notPrivate(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const s = fs.lstatSync(p);
    if ((s.mode & 0o777) !== (s.isDirectory() ? 0o700 : 0o600)) out.push(`${path.relative(dir, p) || '.'} ${(s.mode & 0o777).toString(8)}`);
    if (s.isDirectory()) for (const n of fs.readdirSync(p)) visit(path.join(p, n));
  };
  visit(dir);
  return out;
}

describe('data dir privacy', () => {
  it('keeps the capture readable by the agent user only, including a data dir an older version left open', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'osloscope-privacy-')), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'replay-audit.ndjson'), '', { mode: 0o644 });
    agent = await startAgent({ args: ['--demo', '--data-dir', dataDir] });
    // The demo's traffic is written: the SQLite file, its WAL and the raw segments exist.
    await waitUntil(
      'the demo capture written',
      async () => ((await (await fetch(`${agent!.baseUrl}/api/health`)).json()) as { counts: { stored: number } }).counts.stored > 50,
    );
    await waitUntil('a raw segment', () => fs.existsSync(path.join(dataDir, 'raw')) && fs.readdirSync(path.join(dataDir, 'raw')).length > 0);
    expect(mode(dataDir)).toBe(0o700);
    expect(notPrivate(dataDir)).toEqual([]);
    expect(agent.stderr.join('\n')).toMatch(/the data dir was readable by other users: made it private/);
  });
});
