/**
 * The NDJSON capture B2 reads: the agent's own export format (one line per published
 * message: its firehose publish event plus its deliveries), generated from the workload
 * once and cached, because writing gigabytes takes longer than reading them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { EXPORT_FORMAT_VERSION, type ExportLine } from '../src/capture/ndjson.js';
import { traceHeaders, workload, type WorkloadMessage } from './workload.js';

/** Bump when the workload or the line shape changes, so stale cached captures are not reused. */
const GENERATION = 2;

/** One export line for a workload message published at `at`, delivered 1 ms later. */
export function exportLineOf(msg: WorkloadMessage, at: number): string {
  const line: Pick<ExportLine, 'v' | 'masked'> & { record: { capturedAt: number }; raw: ExportLine['raw'] } = {
    v: EXPORT_FORMAT_VERSION,
    record: { capturedAt: at },
    raw: {
      bodyBase64: Buffer.from(msg.body).toString('base64'),
      headers: traceHeaders(msg, null),
      properties: {},
      origin: 'firehose',
      exchange: 'amq.rabbitmq.trace',
      routingKey: `publish.${msg.exchange}`,
      deliveries: msg.queues.map((queue, i) => ({ queue, connection: msg.consumers[i] ?? null, server: null, redelivered: false, at: at + 1 })),
    },
    masked: [],
  };
  return JSON.stringify(line);
}

/** Path of the cached capture of `n` messages under `dir`, written now if missing. */
export async function ensureCaptureFile(dir: string, n: number, t0: number): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `workload-g${GENERATION}-${n}.ndjson`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const out = fs.createWriteStream(tmp, { highWaterMark: 1 << 20 });
  let i = 0;
  for (const msg of workload()) {
    if (i >= n) break;
    // ~5k messages/s of simulated time: call → reply latencies stay realistic.
    if (!out.write(exportLineOf(msg, t0 + Math.floor(i / 5)) + '\n')) await once(out, 'drain');
    i++;
  }
  out.end();
  await once(out, 'finish');
  fs.renameSync(tmp, file);
  return file;
}

/**
 * The lines of a file (without newlines), read in 1 MiB chunks. Splits bytes rather than
 * decoded text: a streaming utf8 decoder over gigabytes costs more than the JSON parsing.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  let rest: Buffer | null = null;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    let start = 0;
    let nl = buf.indexOf(10);
    if (rest && nl >= 0) {
      // Only the line split across chunks is copied.
      yield Buffer.concat([rest, buf.subarray(0, nl)]).toString('utf8');
      rest = null;
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    for (; nl >= 0; nl = buf.indexOf(10, start)) {
      yield buf.toString('utf8', start, nl);
      start = nl + 1;
    }
    if (start < buf.length) rest = rest ? Buffer.concat([rest, buf.subarray(start)]) : Buffer.from(buf.subarray(start));
  }
  if (rest) yield rest.toString('utf8');
}
