/**
 * What a user should see, derived from what oslo.messaging itself reported while running the
 * scenario (its step lines and its servers' `executed` lines); `targetViewsOf` maps the agent
 * HTTP API's records (an oracle independent of the browser) to graph nodes.
 */
import type { EnvelopeRecord } from '@osloscope/shared';
import type { ScenarioEvent, ScriptResult } from '@osloscope/agent/test-support';
import type { GraphNodeView } from './pages/FlowGraphPage.js';
import { publishedSteps, SCENARIO_NAMES } from './scenario-env.js';

const names = SCENARIO_NAMES;

/** The graph's target nodes: one per (exchange, topic, namespace, version) the client sent to. */
export function expectedTargets(steps: readonly ScenarioEvent[]): GraphNodeView[] {
  const seen = new Map<string, GraphNodeView>();
  for (const s of publishedSteps(steps)) {
    const namespace = typeof s['namespace'] === 'string' ? s['namespace'] : null;
    const version = typeof s['version'] === 'string' ? s['version'] : null;
    let label: string;
    if (s.action === 'notify') label = `${names.exchange} / ${names.notifications}`;
    else if (s.action === 'fanout') label = `${names.topic}_fanout / ${names.topic}`;
    else label = `${names.exchange} / ${names.topic}`;
    const sublabel = `${namespace ? `ns ${namespace}` : 'default ns'} · ${version ? `v${version}` : 'no version'}`;
    seen.set(`${label}|${sublabel}`, { label, sublabel });
  }
  return [...seen.values()].sort((a, b) => a.label.localeCompare(b.label) || a.sublabel.localeCompare(b.sublabel));
}

/** Servers that executed something, plus servers a client addressed directly (even one nobody runs). */
export function expectedServers(result: ScriptResult, steps: readonly ScenarioEvent[]): string[] {
  const servers = new Set<string>();
  for (const e of result.events) if (e.event === 'executed' && typeof e.server === 'string') servers.add(e.server);
  for (const s of publishedSteps(steps)) if (typeof s.server === 'string') servers.add(s.server);
  return [...servers].sort();
}

/** Servers that executed `method` (e.g. both copies of a fanout). */
export function serversThatExecuted(result: ScriptResult, method: string): string[] {
  const servers = result.events.filter((e) => e.event === 'executed' && e.method === method).map((e) => String(e.server));
  return [...new Set(servers)].sort();
}

/** Methods a server executed, as its own record lines say. */
export function methodsExecutedBy(result: ScriptResult, server: string): string[] {
  const methods = result.events.filter((e) => e.event === 'executed' && e.server === server).map((e) => String(e.method));
  return [...new Set(methods)].sort();
}

/** The class a client saw for a failed call: the remote class for RemoteError, else the re-raised one. */
export function failureSeen(step: ScenarioEvent): string | null {
  return step.error?.exc_type ?? step.error?.type ?? null;
}

/** Call steps whose reply carried a remote failure (not timeouts, not client-side errors). */
export function remotelyFailedCalls(steps: readonly ScenarioEvent[]): ScenarioEvent[] {
  return publishedSteps(steps).filter((s) => s.action === 'call' && s.error !== null && s.error !== undefined && s.error.type !== 'MessagingTimeout');
}

/** Client programs: oslo names every connection `<program>:<pid>:<uuid>`; the scenario client is scenario.py. */
export const SCENARIO_CLIENT_PROGRAM = 'scenario.py';

/**
 * The graph's target nodes for a set of captured messages (the HTTP API's answer to the same
 * filter): one per (exchange, topic, namespace, version) of a call, cast or notification.
 */
export function targetViewsOf(records: readonly EnvelopeRecord[]): GraphNodeView[] {
  const seen = new Map<string, GraphNodeView>();
  for (const r of records) {
    if (!r.target || !['call', 'cast', 'notification'].includes(r.kind)) continue;
    const t = r.target;
    const view = {
      label: `${t.exchange} / ${t.topic ?? '—'}`,
      sublabel: `${t.namespace ? `ns ${t.namespace}` : 'default ns'} · ${t.version ? `v${t.version}` : 'no version'}`,
    };
    seen.set(`${view.label}|${view.sublabel}`, view);
  }
  return [...seen.values()].sort((a, b) => a.label.localeCompare(b.label) || a.sublabel.localeCompare(b.sublabel));
}

/** The graph's server nodes for a set of captured messages: fanout reach, else handler or direct target. */
export function serverLabelsOf(records: readonly EnvelopeRecord[]): string[] {
  const servers = new Set<string>();
  for (const r of records) {
    if (!r.target || !['call', 'cast', 'notification'].includes(r.kind)) continue;
    const reached = r.reached ?? [];
    const named = reached.length > 0 ? reached : [r.server ?? r.target.server].filter((s): s is string => s !== null);
    for (const s of named) servers.add(s);
  }
  return [...servers].sort();
}
