/**
 * Passiveness against the real local RabbitMQ: with the firehose and tap sources
 * attached, an application queue holding unconsumed messages keeps exactly the
 * messages it would have without them, and the agent adds only exclusive, auto-delete,
 * non-durable queues (and nothing at all once stopped).
 */
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirehoseSource } from '../../src/amqp/firehose-source.js';
import { createTapSource } from '../../src/amqp/tap-source.js';
import type { CaptureSource } from '../../src/ports/source.js';
import { createTestVhost, managementRequest, vhostSegment, type TestVhost } from '../support/management.js';
import { listExchanges, listQueues, recordingCapture, recordingDirectory, waitFor, type ExchangeFacts, type QueueFacts, silentLogger } from './amqp-helpers.js';

let vhost: TestVhost;
let app: ChannelModel | null = null;
const sources: CaptureSource[] = [];

beforeAll(async () => {
  vhost = await createTestVhost('amqp-passive');
});
afterAll(async () => {
  for (const s of sources) await s.stop();
  await app?.close().catch(() => undefined);
  await vhost?.cleanup();
});

/** Management API view of a queue's counts (statistics refresh about every 5 s). */
const queueCounts = (name: string) =>
  managementRequest<{ messages?: number; messages_ready?: number; messages_unacknowledged?: number; consumers?: number }>(
    'GET',
    `/api/queues/${vhostSegment(vhost.name)}/${encodeURIComponent(name)}`,
  );

const topology = async () => ({
  queues: (await listQueues(vhost.name))
    .map(({ name, durable, auto_delete, exclusive, arguments: args }: QueueFacts) => ({ name, durable, auto_delete, exclusive, arguments: args ?? {} }))
    .sort((a, b) => a.name.localeCompare(b.name)),
  exchanges: (await listExchanges(vhost.name))
    .map(({ name, type, durable, auto_delete }: ExchangeFacts) => ({ name, type, durable, auto_delete }))
    .sort((a, b) => a.name.localeCompare(b.name)),
});

describe('passiveness', () => {
  it('leaves application message counts and topology untouched', async () => {
    app = await amqp.connect(vhost.amqpUrl);
    const ch = await app.createChannel();
    await ch.assertExchange('openstack', 'topic', { durable: false });
    await ch.assertQueue('work', { durable: true });
    await ch.bindQueue('work', 'openstack', 'work');
    await ch.assertQueue('served', { durable: false });
    await ch.bindQueue('served', 'openstack', 'served');
    let served = 0;
    await ch.consume('served', (m) => {
      if (m) {
        served++;
        ch.ack(m);
      }
    });
    for (let i = 0; i < 5; i++) ch.publish('openstack', 'work', Buffer.from(`w${i}`), { deliveryMode: 2 });
    // Without the agent: 5 ready messages, nothing unacked, no consumer.
    const baseline = await waitFor('baseline counts in the management API', async () => {
      const c = await queueCounts('work');
      // Queue stats (consumers) can lag the message count by one management refresh.
      return c.messages === 5 && c.consumers !== undefined ? c : null;
    });
    expect(baseline).toMatchObject({ messages: 5, messages_ready: 5, messages_unacknowledged: 0, consumers: 0 });
    const before = await topology();

    const firehoseCapture = recordingCapture();
    const tapCapture = recordingCapture();
    const common = { transportUrl: vhost.url, directory: recordingDirectory(), log: silentLogger, intervals: { checkMs: 500, directoryMs: 500 } };
    sources.push(createFirehoseSource({ ...common, name: 'passive-firehose', capture: firehoseCapture }));
    sources.push(createTapSource({ ...common, name: 'passive-tap', capture: tapCapture }));
    for (const s of sources) await s.start();

    // With the agent attached: live traffic plus 3 more messages for the idle queue.
    for (let i = 0; i < 4; i++) ch.publish('openstack', 'served', Buffer.from(`s${i}`));
    for (let i = 5; i < 8; i++) ch.publish('openstack', 'work', Buffer.from(`w${i}`), { deliveryMode: 2 });
    await waitFor(
      'both sources saw the traffic',
      () =>
        firehoseCapture.raws.filter((r) => r.routingKey === 'deliver.served').length === 4 &&
        tapCapture.raws.filter((r) => r.routingKey === 'work').length === 3,
    );
    expect(served).toBe(4);

    // Exactly what the application published: 8, all ready, still no consumer.
    expect((await ch.checkQueue('work')).messageCount).toBe(8);
    const during = await waitFor('management counts settle', async () => {
      const c = await queueCounts('work');
      return c.messages === 8 ? c : null;
    });
    expect(during).toMatchObject({ messages: 8, messages_ready: 8, messages_unacknowledged: 0, consumers: 0 });

    // The agent's additions: only exclusive, auto-delete, non-durable queues; no exchanges.
    const now = await topology();
    const added = now.queues.filter((q) => !before.queues.some((b) => b.name === q.name));
    expect(added).toHaveLength(2); // one firehose queue, one tap queue
    for (const q of added) {
      expect(q).toMatchObject({ durable: false, auto_delete: true, exclusive: true });
      // No length limit or TTL: the broker never drops capture the agent has not read yet.
      expect(q.arguments).toEqual({});
    }
    expect(now.queues.filter((q) => before.queues.some((b) => b.name === q.name))).toEqual(before.queues);
    expect(now.exchanges).toEqual(before.exchanges);

    for (const s of sources.splice(0)) await s.stop();
    await waitFor('topology back to what it was', async () => JSON.stringify(await topology()) === JSON.stringify(before));
    expect((await ch.checkQueue('work')).messageCount).toBe(8);
  });
});
