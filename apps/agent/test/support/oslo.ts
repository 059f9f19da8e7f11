/**
 * Runs the real oslo.messaging scripts in apps/agent/test/oslo with Debian's python:
 * the fixture scenario (runOsloScenario), long-running RPC servers whose executed calls
 * tests can observe (startOsloServers), and one-off calls (runOsloClient).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseJsonLines, spawnLines, type LineProcess } from './child-process.js';
import { OSLO_SCRIPTS_DIR, PYTHON } from './paths.js';

/** What a script reported on the client's side of a step (see scenario.py). */
export interface ScenarioError {
  /** Class the client saw: `ValueError`, `RemoteError`, `MessagingTimeout`, `RPCVersionCapError`... */
  type: string;
  message: string;
  /** For `RemoteError`: the remote class, e.g. `UnsupportedVersion`, `NoSuchMethod`. */
  exc_type?: string;
}

/**
 * One JSON line of a script. Step lines have `step` (`S01`..`S15`, `client` for
 * rpc_client.py); other lines have `event` (`client`, `ready`, `servers-ready`,
 * `executed`, `stopped`, `done`).
 */
export interface ScenarioEvent {
  step?: string;
  event?: string;
  action?: 'call' | 'cast' | 'fanout' | 'notify';
  method?: string;
  result?: unknown;
  error?: ScenarioError | null;
  /** Set when a step did not behave as the scenario expects. */
  unexpected?: boolean;
  server?: string | null;
  [key: string]: unknown;
}

/** A call an RPC server executed (rpc_server.py `executed` line / record file entry). */
export interface ExecutedCall {
  event: 'executed';
  server: string;
  method: string;
  args: Record<string, unknown>;
  context: { request_id: string | null; user: string | null; project_id: string | null };
  /** Unix time in seconds. */
  at: number;
}

export interface ScriptResult {
  stdout: string;
  stderr: string;
  code: number | null;
  events: ScenarioEvent[];
}

/** Command-line args: `{ topic: 'demo', echoCalls: 3 }` → `--topic demo --echo-calls 3`. */
export function toCliArgs(args: Record<string, string | number | boolean> = {}): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    const flag = key.startsWith('--') ? key : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === false) continue;
    out.push(flag);
    if (value !== true) out.push(String(value));
  }
  return out;
}

/** Python scripts never see the parent's PYTHON* variables (a pyenv setup would break them). */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PYTHON')) env[k] = v;
  env['PYTHONUNBUFFERED'] = '1';
  return env;
}

function spawnScript(script: string, args: string[]): LineProcess {
  return spawnLines(PYTHON, [path.join(OSLO_SCRIPTS_DIR, `${script}.py`), ...args], {
    cwd: OSLO_SCRIPTS_DIR,
    env: pythonEnv(),
  });
}

async function runScript(script: string, args: string[], timeoutMs: number): Promise<ScriptResult> {
  const proc = spawnScript(script, args);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([proc.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    await proc.stop(2_000);
    throw new Error(
      `${script}.py did not finish within ${timeoutMs} ms\n--- stdout ---\n${proc.stdout.slice(-20).join('\n')}\n--- stderr ---\n${proc.stderr.slice(-20).join('\n')}`,
    );
  }
  return {
    stdout: proc.stdout.join('\n'),
    stderr: proc.stderr.join('\n'),
    code: outcome,
    events: parseJsonLines<ScenarioEvent>(proc.stdout),
  };
}

export interface OsloScenarioOptions {
  /** oslo transport URL, e.g. a TestVhost's `url`. */
  transportUrl: string;
  /** Script name in apps/agent/test/oslo without `.py`: `scenario`, `rpc_client`. */
  scenario: string;
  /** Extra args: `{ topic: 't1', exchange: 'x1', echoCalls: 4, steps: 'S01,S03', pause: 0.2 }`. */
  args?: Record<string, string | number | boolean>;
  /** @default 120_000 */
  timeoutMs?: number;
}

/**
 * Runs an oslo script to completion and returns its output and parsed JSON lines.
 * A non-zero exit is returned as `code` (the script reports unexpected steps that way);
 * only a timeout rejects.
 */
export function runOsloScenario(opts: OsloScenarioOptions): Promise<ScriptResult> {
  const args = ['--transport-url', opts.transportUrl, ...toCliArgs(opts.args)];
  return runScript(opts.scenario, args, opts.timeoutMs ?? 120_000);
}

export interface OsloClientCall {
  transportUrl: string;
  method: string;
  args?: Record<string, unknown>;
  /** The kwargs as JSON text for Python's json.loads, instead of `args`: e.g. `{"x": NaN}`, which JSON cannot express. */
  argsJson?: string;
  /** @default 'call' */
  action?: 'call' | 'cast' | 'fanout';
  /** @default 'demo' */
  topic?: string;
  /** control_exchange. @default 'openstack' */
  exchange?: string;
  server?: string;
  version?: string;
  namespace?: string;
  /** Call timeout in seconds. */
  timeout?: number;
  callMonitorTimeout?: number;
  requestId?: string;
  timeoutMs?: number;
}

/** One call/cast through rpc_client.py. `event` is its single JSON line. */
export async function runOsloClient(call: OsloClientCall): Promise<ScriptResult & { event: ScenarioEvent | undefined }> {
  const args: Record<string, string | number> = { method: call.method, args: call.argsJson ?? JSON.stringify(call.args ?? {}) };
  if (call.action) args['action'] = call.action;
  if (call.topic) args['topic'] = call.topic;
  if (call.exchange) args['exchange'] = call.exchange;
  if (call.server) args['server'] = call.server;
  if (call.version) args['version'] = call.version;
  if (call.namespace) args['namespace'] = call.namespace;
  if (call.timeout !== undefined) args['timeout'] = call.timeout;
  if (call.callMonitorTimeout !== undefined) args['callMonitorTimeout'] = call.callMonitorTimeout;
  if (call.requestId) args['requestId'] = call.requestId;
  const result = await runOsloScenario({
    transportUrl: call.transportUrl,
    scenario: 'rpc_client',
    args,
    timeoutMs: call.timeoutMs ?? 60_000,
  });
  return { ...result, event: result.events.find((e) => e.step === 'client') };
}

export interface OsloServersOptions {
  transportUrl: string;
  /** @default ['node-a'] */
  servers?: string[];
  /** @default 'demo' */
  topic?: string;
  /** control_exchange. @default 'openstack' */
  exchange?: string;
  /** Also run a notification listener on this topic (on the first server). */
  notifications?: string;
  /** @default 60_000 */
  readyTimeoutMs?: number;
}

export interface RunningOsloServer {
  name: string;
  pid: number;
  /** The file the server appends one JSON line to per executed call. */
  recordFile: string;
  process: LineProcess;
}

export interface OsloServers {
  servers: RunningOsloServer[];
  /** Calls executed so far, from the record files (in file order, servers concatenated). */
  readExecuted(): Promise<ExecutedCall[]>;
  /** Waits until executed calls matching `test` number at least `count`. */
  waitForExecuted(test: (call: ExecutedCall) => boolean, opts?: { count?: number; timeoutMs?: number }): Promise<ExecutedCall[]>;
  /**
   * What the servers logged about failing to read a message: oslo's "Failed to consume message
   * from queue" (it then reconnects and the broker redelivers), py-amqp's decode errors.
   */
  consumeErrors(): string[];
  /** Stops every server (clean oslo shutdown) and removes the record files. */
  stop(): Promise<void>;
}

const CONSUME_ERROR = /Failed to consume|UnexpectedFrame|IndexError|FrameSyntaxError/;

/**
 * Starts long-running real oslo RPC servers (rpc_server.py) and waits until each is
 * consuming. Use for replay tests: every executed call is recorded, so a test can check
 * that a replayed message really ran on a server.
 */
export async function startOsloServers(opts: OsloServersOptions): Promise<OsloServers> {
  const names = opts.servers ?? ['node-a'];
  const dir = await mkdtemp(path.join(tmpdir(), 'osloscope-oslo-'));
  const running: RunningOsloServer[] = [];
  const stopAll = async () => {
    await Promise.all(running.map((s) => s.process.stop(10_000)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, name] of names.entries()) {
      const recordFile = path.join(dir, `${name}.jsonl`);
      const args = ['--transport-url', opts.transportUrl, '--server', name, '--record', recordFile];
      args.push('--topic', opts.topic ?? 'demo', '--exchange', opts.exchange ?? 'openstack');
      if (opts.notifications && i === 0) args.push('--notifications', opts.notifications);
      running.push({ name, pid: 0, recordFile, process: spawnScript('rpc_server', args) });
    }
    for (const s of running) {
      const line = await s.process.waitForLine((l) => l.includes('"event": "ready"'), opts.readyTimeoutMs ?? 60_000, `oslo RPC server ${s.name} to be ready`);
      s.pid = (JSON.parse(line) as { pid: number }).pid;
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const readExecuted = async (): Promise<ExecutedCall[]> => {
    const all: ExecutedCall[] = [];
    for (const s of running) {
      const text = await readFile(s.recordFile, 'utf8').catch(() => '');
      all.push(...parseJsonLines<ExecutedCall>(text.split('\n')));
    }
    return all;
  };

  return {
    servers: running,
    readExecuted,
    async waitForExecuted(test, { count = 1, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = (await readExecuted()).filter(test);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} matching executed call(s), saw ${matching.length} within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    consumeErrors: () => running.flatMap((s) => s.process.stderr.filter((l) => CONSUME_ERROR.test(l)).map((l) => `${s.name}: ${l}`)),
    stop: stopAll,
  };
}

/** A message as py-amqp (the AMQP client under kombu and oslo.messaging) decoded it. */
export interface PyAmqpMessage {
  queue: string;
  /** Basic properties by AMQP name, without the headers. */
  properties: Record<string, unknown>;
  headers: Record<string, unknown> | null;
  /** Python type of each header value as decoded (`str`, `int`, `bytes`...). */
  header_types: Record<string, string>;
  body: string | { base64: string };
}

/**
 * Drains `queues` with py-amqp's basic_get (read_published.py). `error` is what py-amqp raised
 * reading a message, as an oslo server would hit it ("Failed to consume message from queue").
 */
export async function readWithPyAmqp(
  transportUrl: string,
  queues: string[],
): Promise<{ messages: PyAmqpMessage[]; error: { type: string; message: string } | null }> {
  const result = await runScript('read_published', ['--transport-url', transportUrl, ...queues.flatMap((q) => ['--queue', q])], 60_000);
  const lines = parseJsonLines<PyAmqpMessage & { event?: string; type?: string; message?: string }>(result.stdout.split('\n'));
  const failed = lines.find((l) => l.event === 'error');
  if (!failed && !lines.some((l) => l.event === 'done'))
    throw new Error(`read_published.py did not finish (exit ${result.code}): ${result.stderr.slice(-2000)}`);
  return {
    messages: lines.filter((l) => l.event === undefined),
    error: failed ? { type: failed.type ?? '', message: failed.message ?? '' } : null,
  };
}
