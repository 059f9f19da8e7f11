/**
 * The capture queue's backlog in source health, against the real local RabbitMQ: while the
 * capture core is slower than the traffic, the events wait in the agent's own queue on the
 * broker and health says how many; once capture caught up it says 0.
 */
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { CAPTURE_PREFETCH } from '../../src/amqp/capture-consumer.js';
import { createFirehoseSource } from '../../src/amqp/firehose-source.js';
import { recordingCapture, recordingDirectory, recordingLog, useSourceTestBroker, waitFor } from './amqp-helpers.js';

const MESSAGES = 5000;
/** Each event takes the capture core this long (a synchronous wait, as a busy core blocks). */
const INGEST_MS = 2;

const broker = useSourceTestBroker('amqp-backlog');

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('capture queue backlog', () => {
  it('shows how many events wait for a capture core slower than the traffic, and 0 once it caught up', async () => {
    const capture = recordingCapture();
    capture.ingest = (raw) => {
      blockFor(INGEST_MS);
      capture.raws.push(raw);
    };
    const vhost = broker.vhost;
    const source = (broker.source = createFirehoseSource({
      name: 'it-backlog',
      transportUrl: vhost.url,
      capture,
      directory: recordingDirectory(),
      log: recordingLog().log,
      intervals: { directoryMs: 60_000, checkMs: 60_000, backlogMs: 100 },
    }));
    await source.start();
    await waitFor('a first backlog check', () => source.health().backlog === 0);

    // A burst the slow core needs ~10 s for: ~20 MB of trace events, far more than the broker
    // sends ahead of the agent's acks (CAPTURE_PREFETCH).
    const app = (broker.app = await amqp.connect(vhost.amqpUrl));
    const ch = await app.createConfirmChannel();
    await ch.assertQueue('idle-q', { durable: false });
    const body = Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': 'x'.repeat(4000) }));
    for (let i = 0; i < MESSAGES; i++) ch.sendToQueue('idle-q', body);
    await ch.waitForConfirms();

    let most = 0;
    await waitFor(
      'every event ingested',
      () => {
        most = Math.max(most, source.health().backlog ?? 0);
        return capture.raws.length >= MESSAGES;
      },
      60_000,
      20,
    );
    // Behind: a good part of what the broker could not send ahead was seen waiting in the queue, never more than was sent.
    expect(most).toBeGreaterThanOrEqual((MESSAGES - CAPTURE_PREFETCH) / 2);
    expect(most).toBeLessThanOrEqual(MESSAGES);
    // Caught up: nothing waits any more.
    await waitFor('the backlog back to 0', () => source.health().backlog === 0, 10_000, 20);
    expect(source.health().state).toBe('connected');

    // Stopped: not known rather than a stale number.
    await source.stop();
    expect(source.health().backlog).toBeNull();
    broker.source = null;
  }, 90_000);
});
