/**
 * Broker restart during capture (real local RabbitMQ): `rabbitmqctl stop_app` /
 * `start_app` drops every connection and switches tracing off (it is not persistent).
 * The firehose source must reconnect, switch tracing on again, report the outage as a
 * gap, and capture what is published after the restart.
 *
 * This stops the whole local broker for a few seconds; start_app always runs (finally).
 */
import { execFile } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirehoseSource } from '../../src/amqp/firehose-source.js';
import type { CaptureSource } from '../../src/ports/source.js';
import { createTestVhost, isTracing, managementRequest, type TestVhost } from '../support/management.js';
import { recordingCapture, recordingDirectory, recordingLog, waitFor } from './amqp-helpers.js';

const run = promisify(execFile);
const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', args, { timeout: 60_000 });

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

let vhost: TestVhost;
let source: CaptureSource | null = null;

beforeAll(async () => {
  vhost = await createTestVhost('amqp-restart');
});
afterAll(async () => {
  await source?.stop();
  await vhost?.cleanup();
});

/** Publish one message to the default exchange on a fresh connection. */
async function publishOnce(body: string): Promise<void> {
  const c = await amqp.connect(vhost.amqpUrl);
  try {
    const ch = await c.createConfirmChannel();
    await ch.assertQueue('after-restart', { durable: false });
    ch.sendToQueue('after-restart', Buffer.from(body));
    await ch.waitForConfirms();
  } finally {
    await c.close();
  }
}

describe('broker restart during capture', () => {
  it('reconnects, re-enables tracing, marks the gap and captures again', async () => {
    const capture = recordingCapture();
    const { lines, log } = recordingLog();
    source = createFirehoseSource({
      name: 'it-restart',
      transportUrl: vhost.url,
      capture,
      directory: recordingDirectory(),
      log,
      reconnect: { initialMs: 200, maxMs: 1000 },
      intervals: { checkMs: 500, directoryMs: 1000 },
    });
    await source.start();
    expect(source.health()).toMatchObject({ state: 'connected', tracingEnabledByAgent: true });
    await publishOnce('before');
    await waitFor('pre-restart capture', () => capture.raws.some((r) => new TextDecoder().decode(r.body) === 'before'));

    const stoppedAt = Date.now();
    let downSeenAt: number;
    try {
      await rabbitmqctl('stop_app');
      await waitFor('source notices the broker went away', () => source!.health().state === 'reconnecting', 30_000);
      downSeenAt = Date.now();
      const h = source.health();
      expect(h.connectedSince).toBeNull();
      expect(h.lastError).toBeTruthy();
    } finally {
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup').catch(() => undefined);
    }
    await waitFor('AMQP port back', () => portOpen(5672), 60_000, 250);
    await waitFor('management API back', () => managementRequest('GET', '/api/overview'), 60_000, 250);

    await waitFor('source reconnected', () => source!.health().state === 'connected' && source!.health().reconnects === 1, 60_000);
    await waitFor('tracing re-enabled after restart', () => isTracing(vhost.name), 30_000, 250);
    const h = source.health();
    expect(h.tracing).toEqual([{ node: expect.stringMatching(/^rabbit@/), tracing: true }]);
    expect(h.tracingEnabledByAgent).toBe(true);

    const outage = capture.marked.find((g) => g.reason.startsWith('broker connection lost'));
    expect(outage).toBeDefined();
    expect(outage!.source).toBe('it-restart');
    expect(outage!.from).toBeGreaterThanOrEqual(stoppedAt);
    expect(outage!.to).not.toBeNull();
    expect(outage!.to!).toBeGreaterThan(outage!.from);
    // Capture resumed only after the outage was observed (start_app may still be finishing).
    expect(outage!.to!).toBeGreaterThan(downSeenAt);
    expect(capture.marked.filter((g) => g.reason.startsWith('broker connection lost'))).toHaveLength(1);

    await publishOnce('after');
    const after = await waitFor('post-restart publish captured', () =>
      capture.raws.find((r) => r.routingKey === 'publish.' && new TextDecoder().decode(r.body) === 'after'),
    );
    expect(after.headers).toMatchObject({ routing_keys: ['after-restart'], vhost: vhost.name });
    expect(lines.some((l) => l.level === 'warn' && /connection lost/.test(l.msg))).toBe(true);

    await source.stop();
    expect(await isTracing(vhost.name)).toBe(false);
  });
});
