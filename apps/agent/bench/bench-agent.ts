/** What the live benchmarks share: the RabbitMQ management API and the built agent as a process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_FLAGS } from '../src/heap-tuning.js';

/** The built agent (apps/agent/dist/main.js), from the compiled bench (dist-bench/bench) or its sources (bench/, run by tests). */
export const AGENT_MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../dist/main.js' : '../../dist/main.js', import.meta.url));

/** One management API request (guest/guest, as the benchmarks' local broker has). */
export async function managementRequest(base: string, method: string, p: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64'), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return text === '' ? null : JSON.parse(text);
}

/**
 * Start the built agent on `url`; resolves with its base URL once it prints the listening line.
 * `OSLOSCOPE_BENCH_AGENT_NODE_ARGS` adds Node options to the agent (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
export function startAgentProcess(url: string, dataDir: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const nodeArgs = (process.env['OSLOSCOPE_BENCH_AGENT_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(
    process.execPath,
    [...AGENT_NODE_FLAGS, ...nodeArgs, AGENT_MAIN, '--port', '0', '--data-dir', dataDir, '--transport-url', url, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /osloscope listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, baseUrl: m[1].replace(/\/$/, '') });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`agent exited (${code}): ${out}`)));
  });
}
