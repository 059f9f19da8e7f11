import type { ConnectionDirectory } from '../ports/connection-directory.js';
import { OldestFirstMap } from '../oldest-first-map.js';

/**
 * Which oslo server sits behind a set of consumed queues.
 *
 * An oslo RPC listener consumes `<topic>`, `<topic>.<server>` and `<topic>_fanout_<uuid>`
 * on ONE connection (oslo-wire-format §1.3, §6.4). A `<topic>.<server>` queue alone is
 * ambiguous (`notifications.info` has the same shape), so a queue only names a server
 * when the same connection also consumes its topic queue or that topic's fanout queue.
 */
export function serverFromQueues(queues: Iterable<string>): string | null {
  const set = new Set(queues);
  const topics = new Set<string>();
  for (const q of set) {
    topics.add(q);
    const fanout = /^(.+)_fanout_[0-9a-f]{32}$/.exec(q);
    if (fanout?.[1] !== undefined) topics.add(fanout[1]);
  }
  for (const q of set) {
    // Topics may contain dots, so try every split point, longest topic first.
    for (let dot = q.lastIndexOf('.'); dot > 0; dot = q.lastIndexOf('.', dot - 1)) {
      const topic = q.slice(0, dot);
      const server = q.slice(dot + 1);
      if (server !== '' && topics.has(topic)) return server;
    }
  }
  return null;
}

interface SourceFacts {
  processes: Map<string, string>;
  /** From the management API (replaced on each update). */
  managedQueues: Map<string, Set<string>>;
  /** Learned from deliver events (kept across management updates: the API lags ~5 s). */
  learnedQueues: OldestFirstMap<string, Set<string>>;
  /** Resolved server per connection; cleared whenever the queues change. */
  serverCache: Map<string, string | null>;
  /**
   * Last server / process ever seen per connection, kept after the management API stops
   * listing the connection (its process exited): records captured before the next refresh
   * still get named. Safe because a connection name (`ip:port -> ip:port`) holds an
   * ephemeral port, so it is not reused soon.
   */
  lastServer: OldestFirstMap<string, string>;
  lastProcess: OldestFirstMap<string, string>;
}

/** Bound on remembered connections per source, so a churn of short-lived connections cannot grow memory forever. */
const MAX_CONNECTIONS = 10_000;

/** Set `key` in an insertion-ordered map bounded to MAX_CONNECTIONS; @returns whether the value is new. */
function remember(map: OldestFirstMap<string, string>, key: string, value: string): boolean {
  if (map.get(key) === value) return false;
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_CONNECTIONS) map.shift();
  return true;
}

/** In-memory ConnectionDirectory fed by the management API and by the capture itself. */
export function createConnectionDirectory(): ConnectionDirectory {
  const sources = new Map<string, SourceFacts>();
  let revision = 0;

  function factsFor(source: string): SourceFacts {
    let facts = sources.get(source);
    if (!facts) {
      facts = {
        processes: new Map(),
        managedQueues: new Map(),
        learnedQueues: new OldestFirstMap(),
        serverCache: new Map(),
        lastServer: new OldestFirstMap(),
        lastProcess: new OldestFirstMap(),
      };
      sources.set(source, facts);
    }
    return facts;
  }

  /** The server the current queues name (null when they do not), remembered as last known. */
  function currentServer(facts: SourceFacts, connection: string): string | null {
    const managed = facts.managedQueues.get(connection);
    const learned = facts.learnedQueues.get(connection);
    const server = serverFromQueues(managed && learned ? [...managed, ...learned] : (managed ?? learned ?? []));
    if (server !== null && remember(facts.lastServer, connection, server)) revision++;
    return server;
  }

  return {
    serverFor(source, connection) {
      const facts = sources.get(source);
      if (!facts) return null;
      const cached = facts.serverCache.get(connection);
      if (cached !== undefined) return cached;
      const server = currentServer(facts, connection) ?? facts.lastServer.get(connection) ?? null;
      facts.serverCache.set(connection, server);
      return server;
    },
    processFor(source, connection) {
      const facts = sources.get(source);
      return facts?.processes.get(connection) ?? facts?.lastProcess.get(connection) ?? null;
    },
    learnDelivery(source, connection, queue) {
      const facts = factsFor(source);
      let queues = facts.learnedQueues.get(connection);
      if (queues?.has(queue)) return;
      if (!queues) {
        if (facts.learnedQueues.size >= MAX_CONNECTIONS) facts.learnedQueues.shift();
        queues = new Set();
        facts.learnedQueues.set(connection, queues);
      }
      queues.add(queue);
      facts.serverCache.delete(connection);
      // Rare (once per queue a connection consumes): resolve now, so `revision` tells waiting records.
      currentServer(facts, connection);
    },
    updateFromManagement(source, update) {
      const facts = factsFor(source);
      facts.processes = new Map(Object.entries(update.processes));
      facts.managedQueues = new Map(Object.entries(update.consumers).map(([conn, qs]) => [conn, new Set(qs)]));
      facts.serverCache.clear();
      let learned = false;
      for (const [connection, process] of facts.processes) learned = remember(facts.lastProcess, connection, process) || learned;
      const before = revision;
      // Resolve every listed consumer now: the connection may be gone by the next update.
      for (const connection of facts.managedQueues.keys()) currentServer(facts, connection);
      if (learned && revision === before) revision++;
    },
    revision() {
      return revision;
    },
  };
}
