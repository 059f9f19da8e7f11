import { describe, expect, it } from 'vitest';
import { loggerFrom } from '../../test/support/loggers.js';
import { ManagementError, type ManagementClient, type VhostInfo } from './management-client.js';
import { createTracingControl } from './tracing-control.js';
import type { AgentRun, TracingLedger, TracingLedgerEntry } from './tracing-ledger.js';

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
    published: null,
  });
  const guard = () => {
    if (s.down) throw new ManagementError('unreachable', 'GET http://x:15672/api/vhosts/vh: management API unreachable (ECONNREFUSED)');
  };
  const client: ManagementClient = {
    baseUrl: 'http://x:15672',
    getOverview: async () => (guard(), { node: init.overviewNode ?? nodes[0]!, rabbitmqVersion: '3.10.8' }),
    getVhost: async () => (guard(), vhost()),
    getNodes: async () => (guard(), nodes.map((name) => ({ name, running: true, uptimeMs: null }))),
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

/** The data dir's record of tracing switched on, in memory, for run `run`. */
function memoryLedger(run: string, entries: TracingLedgerEntry[] = []): TracingLedger & { entries: TracingLedgerEntry[] } {
  const me: AgentRun = { id: run, pid: 100, host: 'ctl-1' };
  const same = (e: TracingLedgerEntry, broker: string, vhost: string) => e.broker === broker && e.vhost === vhost;
  const ledger = {
    run: me,
    entries,
    find: (broker: string, vhost: string) => ledger.entries.find((e) => same(e, broker, vhost)) ?? null,
    record(entry: Pick<TracingLedgerEntry, 'broker' | 'vhost' | 'nodes' | 'since'>) {
      ledger.entries = [...ledger.entries.filter((e) => !same(e, entry.broker, entry.vhost)), { ...entry, run: me.id, pid: me.pid, host: me.host }];
    },
    forget(broker: string, vhost: string) {
      ledger.entries = ledger.entries.filter((e) => !same(e, broker, vhost));
    },
  };
  return ledger;
}

const killedRun: TracingLedgerEntry = {
  broker: 'mq:5672',
  vhost: 'vh',
  nodes: ['rabbit@a'],
  since: Date.UTC(2026, 0, 2, 3, 4, 5),
  run: 'killed',
  pid: 99,
  host: 'ctl-1',
};

describe('tracing control and the record of tracing the agent switched on', () => {
  it('records switching tracing on, and forgets it once switched off again', async () => {
    const { client } = fakeBroker({ tracing: false });
    const ledger = memoryLedger('this-run');
    const t = createTracingControl({ vhost: 'vh', client: () => client, log, ledger: { ledger, broker: 'mq:5672' }, now: () => 5000 });
    await t.ensure();
    expect(ledger.entries).toEqual([{ broker: 'mq:5672', vhost: 'vh', nodes: ['rabbit@a'], since: 5000, run: 'this-run', pid: 100, host: 'ctl-1' }]);
    await t.release();
    expect(ledger.entries).toEqual([]);
  });

  it('takes over tracing an earlier, killed run left on: says so in plain words and switches it off on release', async () => {
    const { s, client } = fakeBroker({ tracing: true });
    const ledger = memoryLedger('this-run', [killedRun]);
    const t = createTracingControl({ vhost: 'vh', client: () => client, log, ledger: { ledger, broker: 'mq:5672' } });
    const check = await t.ensure();
    expect(check.enabledByAgent).toBe(true);
    expect(check.warnings).toEqual([
      'tracing (firehose) on vhost "vh" was left on by an earlier run of osloscope (pid 99 on ctl-1, switched on at 2026-01-02T03:04:05.000Z) ' +
        'that ended without switching it off; this agent switches it off when it stops',
    ]);
    expect(logs.some(([l, m]) => l === 'warn' && m.includes('left on by an earlier run'))).toBe(true);
    // The record is this run's now: a kill of this one is recognised in turn.
    expect(ledger.entries).toEqual([{ ...killedRun, run: 'this-run', pid: 100 }]);
    // Later checks keep saying it.
    expect((await t.ensure()).warnings).toHaveLength(1);
    await t.release();
    expect(s.puts).toEqual([false]);
    expect(ledger.entries).toEqual([]);
  });

  it('leaves tracing alone that is on without a record (someone else switched it on), or recorded for another broker or vhost', async () => {
    for (const entries of [[], [{ ...killedRun, vhost: 'other' }], [{ ...killedRun, broker: 'mq2:5672' }]]) {
      const { s, client } = fakeBroker({ tracing: true });
      const ledger = memoryLedger('this-run', entries);
      const t = createTracingControl({ vhost: 'vh', client: () => client, log, ledger: { ledger, broker: 'mq:5672' } });
      const check = await t.ensure();
      expect(check.enabledByAgent).toBe(false);
      expect(check.warnings).toEqual([]);
      await t.release();
      expect(s.puts).toEqual([]);
    }
  });

  it('keeps capturing when the data dir cannot be written (only the record is lost)', async () => {
    const { s, client } = fakeBroker({ tracing: false });
    const ledger = memoryLedger('this-run');
    ledger.record = () => {
      throw new Error('EROFS: read-only file system');
    };
    const t = createTracingControl({ vhost: 'vh', client: () => client, log, ledger: { ledger, broker: 'mq:5672' } });
    expect((await t.ensure()).enabledByAgent).toBe(true);
    expect(s.tracing).toBe(true);
    expect(logs.some(([l, m]) => l === 'warn' && m.includes('could not record switching tracing on'))).toBe(true);
  });
});
