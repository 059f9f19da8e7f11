/**
 * One test file's world: a fresh vhost, the real built agent capturing it through the
 * firehose, and the real oslo.messaging fixture scenario (two RPC servers, a client running
 * S01..S15) run once against it. Ready when the agent holds every message the scenario
 * published and no call is still pending.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EnvelopeRecord } from '@osloscope/shared';
import {
  createTestVhost,
  MANAGEMENT_URL,
  REPO_ROOT,
  runOsloScenario,
  startAgent,
  type RunningAgent,
  type ScenarioEvent,
  type ScriptResult,
  type TestVhost,
} from '@osloscope/agent/test-support';
import { AgentHttp, waitUntil } from './agent-http.js';

/** Names the scenario runs with: not oslo's defaults, so the UI shows what was really sent. */
export const SCENARIO_NAMES = { exchange: 'nova', topic: 'compute', notifications: 'notifications' } as const;

export interface ScenarioEnvOptions {
  /** Vhost name prefix (the test file's name). */
  prefix: string;
  /** Extra agent arguments (e.g. `--keys <file>`). */
  agentArgs?: string[];
  /** Extra scenario.py arguments (e.g. `{ steps: 'S01' }`). */
  scenarioArgs?: Record<string, string | number | boolean>;
}

export interface ScenarioEnv {
  vhost: TestVhost;
  agent: RunningAgent;
  api: AgentHttp;
  scenario: ScriptResult;
  /** The client's step lines: what oslo itself says happened (the ground truth). */
  steps: ScenarioEvent[];
  /** Records stored once the scenario was fully captured, oldest first. */
  records: EnvelopeRecord[];
  /** Stops the agent and deletes the vhost; safe after a failed start. */
  stop(): Promise<void>;
}

/** Steps that put a message on the wire (S11 fails in the client before publishing). */
export function publishedSteps(steps: readonly ScenarioEvent[]): ScenarioEvent[] {
  return steps.filter((s) => s.action !== undefined && s.error?.type !== 'RPCVersionCapError');
}

/** The web app the agent serves; without it every page is the "not built" notice. */
const WEB_INDEX = path.join(REPO_ROOT, 'apps/web/dist/index.html');

/** Starts everything and waits until the scenario is fully captured. */
export async function startScenarioEnv(opts: ScenarioEnvOptions): Promise<ScenarioEnv> {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} does not exist: build first (npm run build)`);
  const vhost = await createTestVhost(opts.prefix);
  let agent: RunningAgent | null = null;
  const stop = async () => {
    await agent?.stop();
    await vhost.cleanup();
  };
  try {
    agent = await startAgent({
      args: ['--transport-url', vhost.url, '--mode', 'firehose', '--management-url', MANAGEMENT_URL, '--no-demo-fallback', ...(opts.agentArgs ?? [])],
    });
    const api = new AgentHttp(agent.baseUrl);
    await waitUntil('the agent to capture with tracing on', async () => {
      const src = (await api.health()).sources[0];
      return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
    });

    const scenario = await runOsloScenario({
      transportUrl: vhost.url,
      scenario: 'scenario',
      args: { ...SCENARIO_NAMES, ...opts.scenarioArgs },
    });
    if (scenario.code !== 0) {
      throw new Error(`scenario.py exited ${scenario.code}\n${scenario.stdout.slice(-1500)}\n${scenario.stderr.slice(-1500)}`);
    }
    const steps = scenario.events.filter((e) => e.step !== undefined);
    const published = publishedSteps(steps);
    const want = {
      call: published.filter((s) => s.action === 'call').length,
      cast: published.filter((s) => s.action === 'cast' || s.action === 'fanout').length,
      notification: published.filter((s) => s.action === 'notify').length,
    };
    const records = await waitUntil(
      `the agent to hold the scenario's ${JSON.stringify(want)} messages with no call pending`,
      async () => {
        const all = await api.envelopes();
        const count = (kind: string) => all.filter((r) => r.kind === kind).length;
        const done =
          count('call') === want.call &&
          count('cast') === want.cast &&
          count('notification') === want.notification &&
          all.every((r) => r.outcome?.status !== 'pending');
        return done ? all : null;
      },
      // The call to nobody (S14) needs its 2 s expiration plus the agent's timeout sweep.
      30_000,
    );
    return { vhost, agent, api, scenario, steps, records, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
