/**
 * Records fresh oslo.messaging traffic in the fixtures' formats (shared/test/fixtures/README.md):
 * the fixture scenario (scenario.py: real oslo.messaging 14 servers node-a, node-b and a client
 * running steps S01–S15) on a vhost of its own with tracing on, the firehose captured by an
 * exclusive queue bound to `amq.rabbitmq.trace` with `#`, and the vhost's connections and
 * consumers from the management API taken while the scenario runs.
 *
 *   npm run fixtures:record -- [--out DIR]      (default test-output/recorded-fixtures)
 *
 * It never overwrites the committed fixtures: they are the facts the tests are written against
 * (line numbers, ids). Compare a new recording with them to see what a newer oslo or RabbitMQ
 * changes, then copy on purpose.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO_ROOT,
  createTestVhost,
  managementRequest,
  runOsloScenario,
  setTracing,
  startTraceCapture,
  vhostSegment,
  type ScenarioEvent,
} from './support/index.js';

interface Connection {
  name: string;
  client_properties?: { connection_name?: string };
  [key: string]: unknown;
}
interface Consumer {
  queue: { name: string };
  channel_details: { connection_name: string };
  [key: string]: unknown;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(REPO_ROOT, 'test-output/recorded-fixtures') } } });
  const out = path.resolve(values.out!);
  const vhost = await createTestVhost('fixture-record');
  const connections = new Map<string, Connection>();
  const consumers = new Map<string, Consumer>();
  let polling = true;
  try {
    await setTracing(vhost.name, true);
    const capture = await startTraceCapture(vhost.amqpUrl);
    // Connections come and go during the run (the client's, notifications): keep each one seen.
    const seg = vhostSegment(vhost.name);
    const poll = (async () => {
      while (polling) {
        for (const c of await managementRequest<Connection[]>('GET', `/api/vhosts/${seg}/connections`).catch(() => [])) connections.set(c.name, c);
        for (const c of await managementRequest<Consumer[]>('GET', `/api/consumers/${seg}`).catch(() => []))
          consumers.set(`${c.channel_details.connection_name} ${c.queue.name}`, c);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const run = await runOsloScenario({ transportUrl: vhost.url, scenario: 'scenario', args: { pause: 0.7 } });
    // Let the last events reach the capture queue.
    let seen = -1;
    while (seen !== capture.events.length) {
      seen = capture.events.length;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    polling = false;
    await poll;
    await capture.stop();
    if (run.code !== 0) throw new Error(`scenario.py exited with ${run.code}:\n${run.stderr.slice(-2000)}`);

    const ready = run.events.find((e: ScenarioEvent) => e.event === 'servers-ready') as { servers?: Array<{ server: string; pid: number }> } | undefined;
    const client = run.events.find((e: ScenarioEvent) => e.event === 'client') as { pid?: number } | undefined;
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'oslo-firehose-sample.jsonl'), capture.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const snapshot = {
      note: `GET /api/vhosts/<vhost>/connections and /api/consumers/<vhost> taken during the recording (npm run fixtures:record)`,
      client_pid: client?.pid ?? null,
      server_pids: Object.fromEntries((ready?.servers ?? []).map((s) => [s.server, s.pid])),
      connections: [...connections.values()],
      consumers: [...consumers.values()],
    };
    await writeFile(path.join(out, 'oslo-connections-snapshot.json'), JSON.stringify(snapshot, null, 1) + '\n');
    console.log(`recorded ${capture.events.length} trace events, ${connections.size} connections, ${consumers.size} consumers → ${out}`);
  } finally {
    polling = false;
    await vhost.cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
