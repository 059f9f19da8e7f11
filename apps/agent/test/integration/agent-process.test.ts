/**
 * The agent process runner used by integration and e2e tests: the built agent starts on
 * a free port, reports itself healthy for the given broker, and stops cleanly.
 */
import { existsSync } from 'node:fs';
import type { HealthReport } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost, startAgent, type TestVhost } from '../support/index.js';

describe('startAgent', () => {
  let vhost: TestVhost;
  beforeAll(async () => {
    vhost = await createTestVhost('agent-process');
  });
  afterAll(async () => {
    await vhost?.cleanup();
  });

  it('runs the built agent on a free port against a test vhost and stops it', async () => {
    const agent = await startAgent({ args: ['--transport-url', vhost.url] });
    let stopped = false;
    try {
      expect(agent.port).toBeGreaterThan(0);
      expect(agent.stdout).toContain(`osloscope listening on ${agent.baseUrl}`);
      expect(existsSync(agent.dataDir)).toBe(true);

      const health = (await (await fetch(`${agent.baseUrl}/api/health`)).json()) as HealthReport;
      const source = health.sources.find((s) => s.vhost === vhost.name);
      expect(source).toBeDefined();
      // The password never leaves the agent.
      expect(JSON.stringify(health)).not.toContain('guest:guest@');

      expect(await agent.stop()).toBe(0);
      stopped = true;
      expect(existsSync(agent.dataDir)).toBe(false);
    } finally {
      if (!stopped) await agent.stop();
    }
  });
});
