/**
 * What the management API tells the ConnectionDirectory: which OS process sits behind a
 * RabbitMQ connection name, and which queues each connection consumes (an oslo RPC
 * server consumes `<topic>` and `<topic>.<server>` on one connection, which names the
 * server behind a round-robin delivery; oslo-wire-format §6.4).
 */
import type { ConnectionInfo, ConsumerInfo } from './management-client.js';

export interface DirectoryFacts {
  /** connection name → client-provided connection_name (`prog:pid:uuid`) */
  processes: Record<string, string>;
  /** connection name → queues it consumes (sorted, unique) */
  consumers: Record<string, string[]>;
}

export function buildDirectoryFacts(connections: readonly ConnectionInfo[], consumers: readonly ConsumerInfo[]): DirectoryFacts {
  const processes: Record<string, string> = {};
  for (const c of connections) if (c.clientName) processes[c.name] = c.clientName;
  const byConn = new Map<string, Set<string>>();
  for (const c of consumers) {
    if (!c.connection) continue;
    let set = byConn.get(c.connection);
    if (!set) byConn.set(c.connection, (set = new Set()));
    set.add(c.queue);
  }
  const out: Record<string, string[]> = {};
  for (const [conn, queues] of byConn) out[conn] = [...queues].sort();
  return { processes, consumers: out };
}
