/**
 * `osloscope tracing off|status`: by hand, what the agent's tracing control does when it stops,
 * for the vhost of each transport URL: through the management API (the agent's credentials
 * handling and `--management-url`), with the agent's record of the tracing it switched on
 * (tracing-ledger.ts) read and, once tracing is off, cleared. Never prints a password: the
 * management client's messages carry none, and URLs are shown by vhost only.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseTransportUrl, type TransportUrl } from '@osloscope/shared';
import { createManagementAccess } from '../amqp/management-access.js';
import type { ManagementClient, VhostInfo } from '../amqp/management-client.js';
import { traceOffCommand } from '../amqp/rabbitmqctl-hint.js';
import { clusterTopology } from '../amqp/tracing-control.js';
import { brokerKey, currentRun, openTracingLedger, TRACING_LEDGER_FILE, type TracingLedger, type TracingLedgerEntry } from '../amqp/tracing-ledger.js';
import type { TracingCommandOptions } from './tracing-options.js';

export interface CommandOutput {
  /** Results, one line each. */
  out(line: string): void;
  /** Problems, one line each. */
  err(line: string): void;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The first of the URL's hosts whose management API answers for the vhost (they fail over like the agent). */
async function reachVhost(url: TransportUrl, managementUrl: string | null): Promise<{ client: ManagementClient; vhost: VhostInfo }> {
  const access = createManagementAccess(url, managementUrl ?? undefined);
  let last: unknown;
  for (let i = 0; i < url.hosts.length; i++) {
    const client = access.clientFor(i);
    try {
      return { client, vhost: await client.getVhost(url.vhost) };
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** Whether the run that recorded `entry` is still running here (it would switch tracing on again). */
function stillRunning(entry: TracingLedgerEntry): boolean {
  if (entry.host !== hostname() || entry.pid === process.pid) return false;
  try {
    process.kill(entry.pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function whoSwitchedItOn(entry: TracingLedgerEntry | null, ledgerFile: string): string {
  if (!entry) return `not switched on by osloscope (no record in ${ledgerFile})`;
  const at = new Date(entry.since).toISOString();
  if (stillRunning(entry)) return `switched on at ${at} by the osloscope agent running as pid ${entry.pid}: it switches it off when it stops`;
  return `switched on by an earlier run of osloscope (pid ${entry.pid} on ${entry.host}, at ${at}) that ended without switching it off`;
}

async function status(url: TransportUrl, o: TracingCommandOptions, ledger: TracingLedger, io: CommandOutput): Promise<void> {
  const { client, vhost } = await reachVhost(url, o.managementUrl);
  const { served } = await clusterTopology(client, vhost.clusterState);
  const where = `${served ? `node ${served}, ` : ''}via ${client.baseUrl}`;
  io.out(`vhost "${url.vhost}": tracing (firehose) is ${vhost.tracing ? 'on' : 'off'} (${where})`);
  const entry = ledger.find(brokerKey(url), url.vhost);
  if (vhost.tracing) io.out(`  ${whoSwitchedItOn(entry, path.join(o.dataDir, TRACING_LEDGER_FILE))}`);
  else if (entry) io.out(`  osloscope's record of switching it on (pid ${entry.pid}) is out of date: the broker restarted or someone switched it off`);
}

async function off(url: TransportUrl, o: TracingCommandOptions, ledger: TracingLedger, io: CommandOutput): Promise<void> {
  const { client, vhost } = await reachVhost(url, o.managementUrl);
  const { nodes, served } = await clusterTopology(client, vhost.clusterState);
  const broker = brokerKey(url);
  const entry = ledger.find(broker, url.vhost);
  if (!vhost.tracing) {
    io.out(`tracing (firehose) is already off on vhost "${url.vhost}"${served ? ` (node ${served})` : ''}`);
  } else {
    try {
      await client.setVhostTracing(url.vhost, false);
      if ((await client.getVhost(url.vhost)).tracing) throw new Error('the management API accepted the change but still reports tracing on');
    } catch (e) {
      throw new Error(`could not switch tracing off (${describe(e)}); run: ${traceOffCommand(url.vhost, served)}`, { cause: e });
    }
    io.out(`switched tracing (firehose) off on vhost "${url.vhost}" (${served ? `node ${served}, ` : ''}via ${client.baseUrl})`);
    const others = nodes.filter((n) => n !== served);
    if (others.length > 0) {
      io.out(`  tracing is per node: for the other nodes run: ${others.map((n) => traceOffCommand(url.vhost, n)).join('; ')}`);
    }
    if (entry && stillRunning(entry)) {
      io.err(
        `warning: the osloscope agent that switched it on (pid ${entry.pid}) is still running and switches tracing on again; ` +
          'stop it instead (it switches tracing off when it stops)',
      );
    }
  }
  try {
    ledger.forget(broker, url.vhost);
  } catch (e) {
    io.err(`warning: could not clear osloscope's record in ${o.dataDir} (${describe(e)}); tracing is off all the same`);
  }
}

/** Runs the command for every transport URL; resolves with the exit code (0, or 1 when one failed). */
export async function runTracingCommand(o: TracingCommandOptions, io: CommandOutput): Promise<number> {
  const ledger = openTracingLedger(o.dataDir, currentRun(randomUUID()));
  let failed = false;
  for (const raw of o.transportUrls) {
    const url = parseTransportUrl(raw);
    try {
      await (o.action === 'off' ? off : status)(url, o, ledger, io);
    } catch (e) {
      io.err(`error: vhost "${url.vhost}": ${describe(e)}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
