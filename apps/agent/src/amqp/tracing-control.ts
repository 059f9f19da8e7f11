/**
 * Keeping the RabbitMQ tracer (firehose) on for the source's vhost.
 *
 * Tracing is per node and per vhost and not persistent: a broker restart switches it
 * off (oslo-wire-format §6.1). The management API shows the vhost flag as seen by the
 * node serving the request, and `PUT /api/vhosts/<vh>` switches it on that node only.
 * With one node that is the whole truth; in a cluster, other nodes' state cannot be
 * seen from here, so a warning names the exact command per node.
 *
 * What the agent switched on it records in its data dir (tracing-ledger.ts) until it switches it
 * off again: a run killed before it could is then recognised by the next one, which takes the
 * tracing over (and switches it off when it stops). Tracing on without such a record was
 * switched on by someone else and is left alone.
 */
import type { TracingNodeState } from '@osloscope/shared';
import type { Logger } from '../log.js';
import { ManagementError, type ManagementClient } from './management-client.js';
import { traceOffCommand, traceOnCommand } from './rabbitmqctl-hint.js';
import type { TracingLedger, TracingLedgerEntry } from './tracing-ledger.js';

export interface TracingStatus {
  /** Per known node; empty when the state is unknown (management unreachable). */
  nodes: TracingNodeState[];
  /** The agent switched tracing on (and will switch it off on release). */
  enabledByAgent: boolean;
  warnings: string[];
}

export interface TracingCheck extends TracingStatus {
  /**
   * Set when this check found tracing off after an earlier check had seen it on:
   * the time of that earlier check (events since then may be missing).
   */
  lostSince: number | null;
}

export interface TracingControl {
  /** Check the state and switch tracing on where it is off and allowed. Never throws. */
  ensure(): Promise<TracingCheck>;
  /** Switch tracing off again if (and only if) the agent switched it on. Never throws. */
  release(): Promise<void>;
  status(): TracingStatus;
}

export interface TracingControlOptions {
  vhost: string;
  /** Current management client (it follows the connected host). */
  client: () => ManagementClient;
  log: Logger;
  /** Where the agent records tracing it switched on, and the broker's key in it. */
  ledger?: { ledger: TracingLedger; broker: string };
  now?: () => number;
}

/** The plain-words warning that an earlier run of the agent left tracing on. */
export function leftOnWarning(vhost: string, earlier: TracingLedgerEntry): string {
  return (
    `tracing (firehose) on vhost "${vhost}" was left on by an earlier run of osloscope (pid ${earlier.pid} on ${earlier.host}, ` +
    `switched on at ${new Date(earlier.since).toISOString()}) that ended without switching it off; this agent switches it off when it stops`
  );
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Running nodes of the cluster, and the one serving management requests (the one a tracing switch acts on). */
export async function clusterTopology(client: ManagementClient, clusterState: Record<string, string>): Promise<{ nodes: string[]; served: string | null }> {
  let nodes: string[];
  try {
    nodes = (await client.getNodes()).filter((n) => n.running).map((n) => n.name);
  } catch {
    // /api/nodes needs the `monitoring` tag; the vhost's cluster_state is readable by more users.
    nodes = Object.entries(clusterState)
      .filter(([, s]) => s === 'running')
      .map(([n]) => n);
  }
  if (nodes.length === 1) return { nodes, served: nodes[0]! };
  let served: string | null;
  try {
    served = (await client.getOverview()).node;
  } catch {
    served = null;
  }
  return { nodes, served };
}

export function createTracingControl(opts: TracingControlOptions): TracingControl {
  const { vhost, log } = opts;
  const now = opts.now ?? Date.now;
  let state: TracingStatus = { nodes: [], enabledByAgent: false, warnings: [] };
  let lastSeenOnAt: number | null = null;
  let inFlight: Promise<TracingCheck> | null = null;
  /** Set once this run took over tracing an earlier, killed run left on (kept in warnings). */
  let takenOver: string | null = null;

  /** Run a ledger change; a data dir that cannot be written costs only the record. */
  function keepRecord(what: string, change: (ledger: TracingLedger, broker: string) => void): void {
    if (!opts.ledger) return;
    try {
      change(opts.ledger.ledger, opts.ledger.broker);
    } catch (e) {
      log.warn(`could not ${what} in the data dir`, { vhost, error: describe(e) });
    }
  }

  /**
   * Tracing is on and this run did not switch it on: if an earlier run of this agent did and
   * never switched it off (it was killed), take it over. Otherwise it is someone else's.
   */
  function takeOverLeftOn(): boolean {
    if (!opts.ledger) return false;
    const earlier = opts.ledger.ledger.find(opts.ledger.broker, vhost);
    if (!earlier || earlier.run === opts.ledger.ledger.run.id) return false;
    takenOver = leftOnWarning(vhost, earlier);
    log.warn(takenOver, { vhost, earlierPid: earlier.pid });
    keepRecord('record taking tracing over', (ledger) => ledger.record({ ...earlier }));
    return true;
  }

  function cannotEnable(reason: string, nodes: string[]): string {
    const cmds = nodes.length > 1 ? nodes.map((n) => traceOnCommand(vhost, n)).join('; ') : traceOnCommand(vhost);
    return `tracing (firehose) is off on vhost "${vhost}" and the agent cannot switch it on (${reason}); run: ${cmds}`;
  }

  async function check(): Promise<TracingCheck> {
    const client = opts.client();
    const warnings: string[] = [];
    const at = now();
    let vh;
    try {
      vh = await client.getVhost(vhost);
    } catch (e) {
      const hint = `tracing state of vhost "${vhost}" unknown (${describe(e)}); if nothing is captured, run: ${traceOnCommand(vhost)}`;
      state = { nodes: [], enabledByAgent: state.enabledByAgent, warnings: [hint] };
      return { ...state, lostSince: null };
    }
    const { nodes, served } = await clusterTopology(client, vh.clusterState);
    const switchedAt = served ? [served] : nodes;
    let on = vh.tracing;
    const lostSince = !on && lastSeenOnAt !== null ? lastSeenOnAt : null;
    let enabledByAgent = state.enabledByAgent;
    if (!on) {
      try {
        await client.setVhostTracing(vhost, true);
        on = (await client.getVhost(vhost)).tracing;
        if (on) {
          enabledByAgent = true;
          log.info('switched tracing (firehose) on', { vhost, node: served, via: client.baseUrl });
          keepRecord('record switching tracing on', (ledger, broker) => ledger.record({ broker, vhost, nodes: switchedAt, since: at }));
        } else {
          warnings.push(cannotEnable('the management API accepted the change but still reports tracing off', nodes));
        }
      } catch (e) {
        const reason = e instanceof ManagementError && e.isPermission ? `the management user may not change the vhost: HTTP ${e.status}` : describe(e);
        warnings.push(cannotEnable(reason, nodes));
        log.warn('tracing is off and could not be switched on', { vhost, error: describe(e) });
      }
    } else if (!enabledByAgent && takeOverLeftOn()) {
      enabledByAgent = true;
    }
    if (takenOver) warnings.push(takenOver);
    if (on) lastSeenOnAt = at;
    const knownNode = served ?? (nodes.length === 1 ? nodes[0]! : null);
    const tracingNodes: TracingNodeState[] = knownNode ? [{ node: knownNode, tracing: on }] : [];
    const unknown = nodes.filter((n) => n !== knownNode);
    if (unknown.length > 0) {
      warnings.push(
        `tracing is per node and the management API only shows ${knownNode ?? 'one node'}; make sure it is on for every node: ${unknown
          .map((n) => traceOnCommand(vhost, n))
          .join('; ')}`,
      );
    }
    state = { nodes: tracingNodes, enabledByAgent, warnings };
    return { ...state, lostSince };
  }

  return {
    ensure() {
      // One check at a time: the periodic timer and a reconnect can overlap.
      if (!inFlight) inFlight = check().finally(() => (inFlight = null));
      return inFlight;
    },
    async release() {
      if (inFlight) await inFlight.catch(() => undefined);
      if (!state.enabledByAgent) return;
      const client = opts.client();
      try {
        await client.setVhostTracing(vhost, false);
        state = { ...state, enabledByAgent: false, nodes: state.nodes.map((n) => ({ ...n, tracing: false })) };
        log.info('switched tracing (firehose) off again', { vhost });
        keepRecord('record switching tracing off', (ledger, broker) => ledger.forget(broker, vhost));
      } catch (e) {
        log.warn(`could not switch tracing off again; run: ${traceOffCommand(vhost)}`, { vhost, error: describe(e) });
      }
    },
    status: () => state,
  };
}
