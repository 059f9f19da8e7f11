import { describe, expect, it } from 'vitest';
import { loggerFrom } from '../../test/support/loggers.js';
import { ManagementError, type ManagementClient, type VhostInfo } from './management-client.js';
import { createTracingControl } from './tracing-control.js';

/** In-memory broker management state; `deny` makes PUT fail like a non-admin user. */
function fakeBroker(init: { tracing: boolean; nodes?: string[]; deny?: 401 | 403; down?: boolean; overviewNode?: string }) {
  const s = { tracing: init.tracing, puts: [] as boolean[], down: init.down ?? false };
  const nodes = init.nodes ?? ['rabbit@a'];
  const vhost = (): VhostInfo => ({
    name: 'vh',
    tracing: s.tracing,
    clusterState: Object.fromEntries(nodes.map((n) => [n, 'running'])),
    description: '',
    tags: [],
    defaultQueueType: null,
  });
  const guard = () => {
    if (s.down) throw new ManagementError('unreachable', 'GET http://x:15672/api/vhosts/vh: management API unreachable (ECONNREFUSED)');
  };
  const client: ManagementClient = {
    baseUrl: 'http://x:15672',
    getOverview: async () => (guard(), { node: init.overviewNode ?? nodes[0]!, rabbitmqVersion: '3.10.8' }),
    getVhost: async () => (guard(), vhost()),
    getNodes: async () => (guard(), nodes.map((name) => ({ name, running: true }))),
    getConsumers: async () => [],
    getVhostConnections: async () => [],
    getExchanges: async () => [],
    setVhostTracing: async (_vh, on) => {
      guard();
      if (init.deny) throw new ManagementError(init.deny === 401 ? 'unauthorized' : 'forbidden', `PUT: HTTP ${init.deny}`, init.deny);
      s.puts.push(on);
      s.tracing = on;
    },
  };
  return { s, client };
}

const logs: Array<[string, string]> = [];
const log = loggerFrom((level, msg) => void logs.push([level, msg]));

describe('tracing control', () => {
  it('switches tracing on when off, reports the node, and switches it off again on release', async () => {
    const { s, client } = fakeBroker({ tracing: false });
    const t = createTracingControl({ vhost: 'vh', client: () => client, log });
    const check = await t.ensure();
    expect(s.tracing).toBe(true);
    expect(check.nodes).toEqual([{ node: 'rabbit@a', tracing: true }]);
    expect(check.enabledByAgent).toBe(true);
    expect(check.warnings).toEqual([]);
    expect(logs.some(([l, m]) => l === 'info' && /switched tracing .*on/.test(m))).toBe(true);
    await t.release();
    expect(s.puts).toEqual([true, false]);
    expect(t.status().enabledByAgent).toBe(false);
  });

  it('leaves tracing alone when it was already on (and does not switch it off on release)', async () => {
    const { s, client } = fakeBroker({ tracing: true });
    const t = createTracingControl({ vhost: 'vh', client: () => client, log });
    expect((await t.ensure()).enabledByAgent).toBe(false);
    await t.release();
    expect(s.puts).toEqual([]);
    expect(s.tracing).toBe(true);
  });

  it.each([401, 403] as const)('names the rabbitmqctl command when the user may not enable it (HTTP %i)', async (status) => {
    const { client } = fakeBroker({ tracing: false, deny: status });
    const t = createTracingControl({ vhost: 'my vh', client: () => client, log });
    const check = await t.ensure();
    expect(check.nodes).toEqual([{ node: 'rabbit@a', tracing: false }]);
    expect(check.enabledByAgent).toBe(false);
    expect(check.warnings).toHaveLength(1);
    expect(check.warnings[0]).toContain(`HTTP ${status}`);
    expect(check.warnings[0]).toContain(`rabbitmqctl trace_on -p 'my vh'`);
  });

  it('names a per-node command for every node in a cluster', async () => {
    const { client } = fakeBroker({ tracing: false, deny: 403, nodes: ['rabbit@a', 'rabbit@b'], overviewNode: 'rabbit@a' });
    const t = createTracingControl({ vhost: '/', client: () => client, log });
    const check = await t.ensure();
    const text = check.warnings.join('\n');
    expect(text).toContain('rabbitmqctl trace_on -p / -n rabbit@a');
    expect(text).toContain('rabbitmqctl trace_on -p / -n rabbit@b');
  });

  it('warns with the command when the management API is unreachable', async () => {
    const { client } = fakeBroker({ tracing: false, down: true });
    const t = createTracingControl({ vhost: '/', client: () => client, log });
    const check = await t.ensure();
    expect(check.nodes).toEqual([]);
    expect(check.warnings[0]).toMatch(/unreachable.*rabbitmqctl trace_on -p \//);
  });

  it('re-enables tracing lost under it (broker restart) and says since when it was lost', async () => {
    let clock = 1000;
    const { s, client } = fakeBroker({ tracing: true });
    const t = createTracingControl({ vhost: 'vh', client: () => client, log, now: () => clock });
    expect((await t.ensure()).lostSince).toBeNull();
    s.tracing = false; // restart: tracing is not persistent
    clock = 5000;
    const check = await t.ensure();
    expect(check.lostSince).toBe(1000);
    expect(s.tracing).toBe(true);
    expect(check.enabledByAgent).toBe(true);
  });
});
