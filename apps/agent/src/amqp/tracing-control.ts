/**
 * Keeping the RabbitMQ tracer (firehose) on for the source's vhost.
 *
 * Tracing is per node and per vhost and not persistent: a broker restart switches it
 * off (oslo-wire-format §6.1). The management API shows the vhost flag as seen by the
 * node serving the request, and `PUT /api/vhosts/<vh>` switches it on that node only.
 * With one node that is the whole truth; in a cluster, other nodes' state cannot be
 * seen from here, so a warning names the exact command per node.
 */
import type { TracingNodeState } from '@osloscope/shared';
import type { Logger } from '../log.js';
import { ManagementError, type ManagementClient } from './management-client.js';
import { traceOffCommand, traceOnCommand } from './rabbitmqctl-hint.js';

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
  now?: () => number;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createTracingControl(opts: TracingControlOptions): TracingControl {
  const { vhost, log } = opts;
  const now = opts.now ?? Date.now;
  let state: TracingStatus = { nodes: [], enabledByAgent: false, warnings: [] };
  let lastSeenOnAt: number | null = null;
  let inFlight: Promise<TracingCheck> | null = null;

  /** Nodes of the cluster and the one serving management requests. */
  async function topology(client: ManagementClient, clusterState: Record<string, string>): Promise<{ nodes: string[]; served: string | null }> {
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
    const { nodes, served } = await topology(client, vh.clusterState);
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
        } else {
          warnings.push(cannotEnable('the management API accepted the change but still reports tracing off', nodes));
        }
      } catch (e) {
        const reason = e instanceof ManagementError && e.isPermission ? `the management user may not change the vhost: HTTP ${e.status}` : describe(e);
        warnings.push(cannotEnable(reason, nodes));
        log.warn('tracing is off and could not be switched on', { vhost, error: describe(e) });
      }
    }
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
      } catch (e) {
        log.warn(`could not switch tracing off again; run: ${traceOffCommand(vhost)}`, { vhost, error: describe(e) });
      }
    },
    status: () => state,
  };
}
