/**
 * Runs the built agent (`node apps/agent/dist/main.js`) as a child process for
 * integration and e2e tests. Contract with the agent: it prints
 * `osloscope listening on http://<host>:<port>` on stdout once the HTTP server is up,
 * and answers GET /api/health.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnLines, type LineProcess } from './child-process.js';
import { AGENT_MAIN, REPO_ROOT } from './paths.js';

const LISTENING = /osloscope listening on (http:\/\/\S+)/;

export interface StartAgentOptions {
  /** Agent CLI args, e.g. `['--transport-url', vhost.url, '--allow-replay']`. */
  args: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** @default 60_000 */
  readyTimeoutMs?: number;
}

export interface RunningAgent {
  /** e.g. `http://127.0.0.1:43817` */
  baseUrl: string;
  port: number;
  /** The `--data-dir` in use (a fresh temp dir unless args gave one). */
  dataDir: string;
  /** Output lines so far (stdout: the listening line; stderr: the log). */
  stdout: string[];
  stderr: string[];
  process: LineProcess;
  /** SIGTERM, SIGKILL after 5 s; removes the temp data dir. Resolves with the exit code. */
  stop(): Promise<number | null>;
  /**
   * SIGKILL at once, as `kill -9` or a crash: the agent cleans nothing up. The data dir stays
   * (give `--data-dir` to start again on it). Resolves once the process is gone.
   */
  kill(): Promise<void>;
}

/**
 * Starts the agent on a free port (`--port 0` unless args give `--port`) with a fresh
 * data dir (unless args give `--data-dir`), waits for the listening line and for
 * /api/health to answer.
 */
export async function startAgent(opts: StartAgentOptions): Promise<RunningAgent> {
  if (!existsSync(AGENT_MAIN)) {
    throw new Error(`${AGENT_MAIN} does not exist: build first (npx tsc -b)`);
  }
  const args = [...opts.args];
  if (!args.includes('--port')) args.push('--port', '0');
  let tempDir: string | null = null;
  if (!args.includes('--data-dir')) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'osloscope-agent-'));
    args.push('--data-dir', tempDir);
  }
  const dataDir = tempDir ?? args[args.indexOf('--data-dir') + 1] ?? '';
  const proc = spawnLines(process.execPath, [AGENT_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
  });
  const cleanup = async () => {
    const code = await proc.stop(5_000);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    return code;
  };

  try {
    const timeoutMs = opts.readyTimeoutMs ?? 60_000;
    const line = await proc.waitForLine((l) => LISTENING.test(l), timeoutMs, 'the agent to listen');
    const baseUrl = (LISTENING.exec(line)?.[1] ?? '').replace(/\/$/, '');
    const port = Number(new URL(baseUrl).port);
    await waitForHealth(baseUrl, timeoutMs);
    return { baseUrl, port, dataDir, stdout: proc.stdout, stderr: proc.stderr, process: proc, stop: cleanup, kill: () => proc.kill() };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Polls GET /api/health until it answers 200. */
export async function waitForHealth(baseUrl: string, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return await res.json();
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`${baseUrl}/api/health did not answer: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface AgentCommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a one-shot agent command to its end, e.g. `['tracing', 'off', '--transport-url', url]`,
 * through `command` (default: `node apps/agent/dist/main.js`; give the linked
 * `node_modules/.bin/osloscope` to run it as `npx osloscope` does).
 */
export async function runAgentCommand(args: string[], opts: { command?: string[]; timeoutMs?: number } = {}): Promise<AgentCommandResult> {
  const [command, ...pre] = opts.command ?? [process.execPath, AGENT_MAIN];
  const proc = spawnLines(command!, [...pre, ...args], { cwd: REPO_ROOT, env: process.env });
  const timer = setTimeout(() => void proc.stop(1_000), opts.timeoutMs ?? 60_000);
  try {
    const code = await proc.exited;
    return { code, stdout: proc.stdout.join('\n'), stderr: proc.stderr.join('\n') };
  } finally {
    clearTimeout(timer);
  }
}
