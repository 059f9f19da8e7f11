/**
 * Broker passwords stay out of the process list (issue #25): the agent takes its transport URL
 * from an OpenStack service's own config or a file, and when a password is given as an argument
 * anyway it says so and overwrites what `ps` shows.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '@osloscope/shared';
import { createTestVhost, startAgent, waitUntil, type RunningAgent, type TestVhost } from '../support/index.js';

let vhost: TestVhost;
const agents: RunningAgent[] = [];
const tmp = mkdtempSync(path.join(tmpdir(), 'osloscope-creds-'));

beforeAll(async () => {
  vhost = await createTestVhost('credentials');
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await vhost?.cleanup();
});

const health = async (a: RunningAgent) => (await (await fetch(`${a.baseUrl}/api/health`)).json()) as HealthReport;
/** What every local user sees of a process in `ps`: its command line. */
const cmdline = (a: RunningAgent) => readFileSync(`/proc/${a.process.child.pid}/cmdline`, 'utf8').replace(/\0/g, ' ');

describe('broker credentials', () => {
  it("captures from the broker named in an OpenStack service's config, with no password on the command line", async () => {
    const conf = path.join(tmp, 'nova.conf');
    writeFileSync(conf, `[DEFAULT]\ndebug = False\ntransport_url = ${vhost.url}\n\n[oslo_messaging_rabbit]\nssl = False\n`);
    const agent = await startAgent({ args: ['--oslo-config', conf, '--no-demo-fallback'] });
    agents.push(agent);
    await waitUntil('the source connected', async () => (await health(agent)).sources[0]?.state === 'connected');
    expect(cmdline(agent)).not.toContain(':guest@');
    expect(JSON.stringify(await health(agent))).not.toContain(':guest@');
  });

  it('hides a password given with --transport-url from the process list, and warns', async () => {
    const agent = await startAgent({ args: ['--transport-url', vhost.url, '--no-demo-fallback'] });
    agents.push(agent);
    await waitUntil('the source connected', async () => (await health(agent)).sources[0]?.state === 'connected');
    expect(cmdline(agent)).not.toContain(':guest@');
    expect(agent.stderr.join('\n')).toMatch(/a broker password was given with --transport-url: other local users could read it in the process list/);
  });
});
