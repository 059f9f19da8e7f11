/**
 * Tracing left on by a killed agent (issue #19 part 5, #26): the firehose costs the broker a
 * message per publish and per delivery, so tracing an agent switched on must not outlive it.
 * A run killed with `kill -9` cannot switch it off; the next run on the same data dir says so
 * and takes it over (switches it off when it stops), and `osloscope tracing off` switches it
 * off by hand. Tracing someone else switched on is left alone.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SourceHealth } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTracing, REPO_ROOT, runAgentCommand, setTracing, type AgentCommandResult, type RunningAgent } from '../support/index.js';
import { agentRuns, type AgentRuns } from './agent-helpers.js';

let runs: AgentRuns;

/** Starts an agent on the test's vhost and data dir; resolves once it captures with tracing on. */
async function capturingAgent(): Promise<{ agent: RunningAgent; source: SourceHealth }> {
  const { agent, health } = await runs.start();
  return { agent, source: health.sources[0]! };
}

const tracingCommand = (action: 'off' | 'status', command?: string[]): Promise<AgentCommandResult> =>
  runAgentCommand(['tracing', action, '--transport-url', runs.vhost.url, '--data-dir', runs.dataDir], command ? { command } : {});

/** Nothing a command or the agent prints may carry the broker password. */
function expectNoPassword(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain('guest:guest');
    expect(t).not.toContain(':guest@');
  }
}

beforeAll(async () => {
  runs = await agentRuns('tracing-left-on');
}, 60_000);

afterAll(() => runs?.cleanup());

describe('an agent killed after switching tracing on', () => {
  let first: SourceHealth;
  let onAfterKill: boolean;
  let second: { agent: RunningAgent; source: SourceHealth };
  let exit: number | null;
  let onAfterStop: boolean;

  beforeAll(async () => {
    const started = await capturingAgent();
    first = started.source;
    await runs.kill(started.agent);
    onAfterKill = await isTracing(runs.vhost.name);
    second = await capturingAgent();
    exit = await runs.stop(second.agent);
    onAfterStop = await isTracing(runs.vhost.name);
  }, 180_000);

  it('had switched tracing on, and tracing stays on after kill -9', () => {
    expect(first.tracingEnabledByAgent).toBe(true);
    expect(onAfterKill).toBe(true);
  });

  it('is recognised by the next run on the same data dir, which says so and takes tracing over', () => {
    expect(second.source.tracingEnabledByAgent).toBe(true);
    expect(second.source.warnings.join('\n')).toMatch(
      /tracing \(firehose\) on vhost ".+" was left on by an earlier run of osloscope .*ended without switching it off/,
    );
    expect(second.agent.stderr.join('\n')).toMatch(/left on by an earlier run/);
    expectNoPassword(second.source.warnings.join('\n'), second.agent.stderr.join('\n'));
  });

  it('whose tracing the next run switches off when it stops', () => {
    expect(exit).toBe(0);
    expect(onAfterStop).toBe(false);
  });
});

describe('osloscope tracing off / status', () => {
  let statusBefore: AgentCommandResult;
  let off: AgentCommandResult;
  let onAfterOff: boolean;
  let statusAfter: AgentCommandResult;

  beforeAll(async () => {
    const started = await capturingAgent();
    await runs.kill(started.agent);
    expect(await isTracing(runs.vhost.name)).toBe(true);
    statusBefore = await tracingCommand('status');
    off = await tracingCommand('off');
    onAfterOff = await isTracing(runs.vhost.name);
    statusAfter = await tracingCommand('status');
  }, 180_000);

  it('status says tracing is on and that a killed run of osloscope left it on', () => {
    expect(statusBefore.code, statusBefore.stderr).toBe(0);
    expect(statusBefore.stdout).toContain(`vhost "${runs.vhost.name}": tracing (firehose) is on`);
    expect(statusBefore.stdout).toMatch(/switched on by an earlier run of osloscope \(pid \d+ on .+\) that ended without switching it off/);
  });

  it('off switches the firehose off, exits 0 and never prints the password', () => {
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain(`switched tracing (firehose) off on vhost "${runs.vhost.name}"`);
    expect(onAfterOff).toBe(false);
    expectNoPassword(statusBefore.stdout, statusBefore.stderr, off.stdout, off.stderr, statusAfter.stdout, statusAfter.stderr);
  });

  it('off forgets the record: status no longer names an osloscope run', () => {
    expect(statusAfter.code, statusAfter.stderr).toBe(0);
    expect(statusAfter.stdout).toContain(`vhost "${runs.vhost.name}": tracing (firehose) is off`);
    expect(statusAfter.stdout).not.toMatch(/earlier run/);
  });

  it('runs as the osloscope command npm links (npx osloscope)', async () => {
    const bin = path.join(REPO_ROOT, 'node_modules/.bin/osloscope');
    expect(existsSync(bin), `${bin} is linked by npm ci`).toBe(true);
    const status = await tracingCommand('status', [bin]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`vhost "${runs.vhost.name}": tracing (firehose) is off`);
  });

  it('exits 2 naming the problem when the action is not known', async () => {
    const bad = await runAgentCommand(['tracing', 'of', '--transport-url', runs.vhost.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/of/);
    expectNoPassword(bad.stdout, bad.stderr);
  });
});

describe('tracing someone else switched on', () => {
  let source: SourceHealth;
  let exit: number | null;
  let onAfterStop: boolean;

  beforeAll(async () => {
    // The operator switched it on (no record of an osloscope run switching it on).
    await setTracing(runs.vhost.name, true);
    const started = await capturingAgent();
    source = started.source;
    exit = await runs.stop(started.agent);
    onAfterStop = await isTracing(runs.vhost.name);
  }, 120_000);

  it('is not taken over by the agent and stays on after it stops', () => {
    expect(source.tracingEnabledByAgent).toBe(false);
    expect(source.warnings.join('\n')).not.toMatch(/earlier run/);
    expect(exit).toBe(0);
    expect(onAfterStop).toBe(true);
  });
});
