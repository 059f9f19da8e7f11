/**
 * Import of an exported capture (NDJSON, ndjson.ts): each line's raw events go through the
 * same ingest as live traffic, and what the exporting agent knew about connections is taught
 * to this agent's directory, so imported records name their servers and processes.
 */
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { importLines, type ConnectionFacts, type ExportedFacts, type ImportResult } from './ndjson.js';

export async function importCapture(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: { source: string; directory: ConnectionDirectory; now: () => number; ingest: (raw: RawCapture, exported?: ExportedFacts) => void },
): Promise<ImportResult> {
  const { source, directory } = opts;
  const processes: Record<string, string> = {};
  const learn = (facts: ConnectionFacts) => {
    // Teach the directory what the exporting agent knew, in the shape it learns from:
    // an RPC listener consumes `<topic>` and `<topic>.<server>` on one connection.
    for (const [connection, server, topic] of facts.servers) {
      directory.learnDelivery(source, connection, topic);
      directory.learnDelivery(source, connection, `${topic}.${server}`);
    }
    const fresh = facts.processes.filter(([c, p]) => processes[c] !== p);
    if (fresh.length === 0) return;
    for (const [c, p] of fresh) processes[c] = p;
    directory.updateFromManagement(source, { processes: { ...processes }, consumers: {} });
  };
  return importLines(lines, source, opts.now, opts.ingest, learn);
}
