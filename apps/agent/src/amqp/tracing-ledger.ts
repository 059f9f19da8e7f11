/**
 * The agent's record of the tracing (firehose) it switched on and has not switched off yet, kept
 * in its data dir (`tracing.json`) so it outlives the process: a run killed with `kill -9`
 * cannot switch tracing off, and the firehose then costs the broker a message per publish and
 * per delivery with nobody reading them. The next run on the same data dir, or
 * `osloscope tracing off`, finds the record and switches it off. No credentials are kept.
 */
import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { hostPortOf, type TransportUrl } from '@osloscope/shared';

export const TRACING_LEDGER_FILE = 'tracing.json';

/** Tracing on one vhost of one broker, switched on by a run of the agent. */
export interface TracingLedgerEntry {
  /** The broker's AMQP hosts, `host:port,...` (transport URL order, no credentials). */
  broker: string;
  vhost: string;
  /** Nodes it was switched on at (the node serving the management request). */
  nodes: string[];
  /** When it was switched on. */
  since: number;
  /** The agent run that owns it (switched it on, or took it over). */
  run: string;
  pid: number;
  host: string;
}

/** This process's run of the agent. */
export interface AgentRun {
  id: string;
  pid: number;
  host: string;
}

export interface TracingLedger {
  readonly run: AgentRun;
  /** The entry for a vhost of a broker, null when none (or the file cannot be read). */
  find(broker: string, vhost: string): TracingLedgerEntry | null;
  /** This run owns tracing on the vhost (switched it on, or took it over). @throws when the file cannot be written */
  record(entry: Pick<TracingLedgerEntry, 'broker' | 'vhost' | 'nodes' | 'since'>): void;
  /** Tracing on the vhost is off again (or not osloscope's business any more). @throws when the file cannot be written */
  forget(broker: string, vhost: string): void;
}

/** The broker part of a ledger key: its hosts as the transport URL lists them. */
export function brokerKey(url: TransportUrl): string {
  return url.hosts.map(hostPortOf).join(',');
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The entries of a ledger file's text; malformed entries (or a malformed file) are skipped, never thrown on. */
export function parseTracingLedger(text: string): TracingLedgerEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isObj(doc) || !Array.isArray(doc['entries'])) return [];
  const out: TracingLedgerEntry[] = [];
  for (const e of doc['entries']) {
    if (!isObj(e)) continue;
    const { broker, vhost, nodes, since, run, pid, host } = e;
    if (typeof broker !== 'string' || typeof vhost !== 'string' || typeof run !== 'string' || typeof host !== 'string') continue;
    if (typeof since !== 'number' || typeof pid !== 'number' || !Array.isArray(nodes)) continue;
    out.push({ broker, vhost, nodes: nodes.filter((n): n is string => typeof n === 'string'), since, run, pid, host });
  }
  return out;
}

export function serializeTracingLedger(entries: readonly TracingLedgerEntry[]): string {
  return `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;
}

export function currentRun(id: string): AgentRun {
  return { id, pid: process.pid, host: hostname() };
}

/**
 * The ledger in `dataDir`. The file is read on every lookup (`osloscope tracing off` may change it
 * while an agent runs) and replaced whole on every change (written beside it, then renamed).
 */
export function openTracingLedger(dataDir: string, run: AgentRun): TracingLedger {
  const file = path.join(dataDir, TRACING_LEDGER_FILE);
  const same = (e: TracingLedgerEntry, broker: string, vhost: string) => e.broker === broker && e.vhost === vhost;

  function read(): TracingLedgerEntry[] {
    try {
      return parseTracingLedger(fs.readFileSync(file, 'utf8'));
    } catch {
      return [];
    }
  }

  function write(entries: TracingLedgerEntry[]): void {
    if (entries.length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${run.pid}.tmp`;
    fs.writeFileSync(tmp, serializeTracingLedger(entries));
    fs.renameSync(tmp, file);
  }

  return {
    run,
    find: (broker, vhost) => read().find((e) => same(e, broker, vhost)) ?? null,
    record(entry) {
      const rest = read().filter((e) => !same(e, entry.broker, entry.vhost));
      write([...rest, { ...entry, run: run.id, pid: run.pid, host: run.host }]);
    },
    forget(broker, vhost) {
      const entries = read();
      const rest = entries.filter((e) => !same(e, broker, vhost));
      if (rest.length !== entries.length) write(rest);
    },
  };
}
