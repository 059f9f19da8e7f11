/**
 * Tap source against the real local RabbitMQ: captures casts to a topic (control)
 * exchange and a `<topic>_fanout` exchange through copies in its own queue, finds
 * exchanges created later, and declares nothing but exclusive auto-delete queues.
 */
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { createTapSource, TAP_BLIND_SPOTS } from '../../src/amqp/tap-source.js';
import { listExchanges, listQueues, recordingCapture, recordingDirectory, useSourceTestBroker, waitFor, silentLogger } from './amqp-helpers.js';

const broker = useSourceTestBroker('amqp-tap');

describe('tap source', () => {
  it('captures topic and fanout casts as copies and declares only exclusive auto-delete queues', async () => {
    // oslo's topology (oslo-wire-format §2): control exchange, topic queue, fanout exchange + queue.
    const vhost = broker.vhost;
    const app = (broker.app = await amqp.connect(vhost.amqpUrl));
    const ch = await app.createChannel();
    await ch.assertExchange('openstack', 'topic', { durable: false });
    await ch.assertQueue('demo', { durable: false });
    await ch.bindQueue('demo', 'openstack', 'demo');
    await ch.assertExchange('demo_fanout', 'fanout', { durable: false, autoDelete: true });
    await ch.assertQueue('demo_fanout_abc', { durable: false, arguments: { 'x-expires': 1800000 } });
    await ch.bindQueue('demo_fanout_abc', 'demo_fanout', 'demo');
    const queuesBefore = (await listQueues(vhost.name)).map((q) => q.name).sort();
    const exchangesBefore = (await listExchanges(vhost.name)).map((e) => e.name).sort();

    const capture = recordingCapture();
    const source = (broker.source = createTapSource({
      name: 'it-tap',
      transportUrl: vhost.url,
      capture,
      directory: recordingDirectory(),
      log: silentLogger,
      intervals: { checkMs: 300, directoryMs: 1000, backlogMs: 200 },
    }));
    await source.start();
    // Its tap queue's backlog is checked too: known, and empty while nothing is published.
    await waitFor('the tap queue backlog known', () => source.health().backlog === 0);
    const h = source.health();
    expect(h).toMatchObject({ mode: 'tap', state: 'connected', tracing: [], tracingEnabledByAgent: false, warnings: [] });
    expect(h.blindSpots).toEqual([...TAP_BLIND_SPOTS]);

    ch.publish('openstack', 'demo', Buffer.from('{"cast": 1}'), { contentType: 'application/json', deliveryMode: 2, priority: 0 });
    ch.publish('demo_fanout', '', Buffer.from('{"fanout": 1}'), { contentType: 'application/json' });
    const [cast, fan] = await waitFor('both casts tapped', () => {
      const c = capture.raws.find((r) => r.exchange === 'openstack');
      const f = capture.raws.find((r) => r.exchange === 'demo_fanout');
      return c && f ? [c, f] : null;
    });
    expect(cast).toMatchObject({
      source: 'it-tap',
      origin: 'tap',
      routingKey: 'demo',
      headers: {},
      properties: { content_type: 'application/json', delivery_mode: 2, priority: 0 },
    });
    expect(new TextDecoder().decode(cast!.body)).toBe('{"cast": 1}');
    expect(fan).toMatchObject({ origin: 'tap', routingKey: '', properties: { content_type: 'application/json' } });
    expect(new TextDecoder().decode(fan!.body)).toBe('{"fanout": 1}');

    // The application's queues still got their messages (copies, not diversions).
    expect((await ch.checkQueue('demo')).messageCount).toBe(1);
    expect((await ch.checkQueue('demo_fanout_abc')).messageCount).toBe(1);

    // A control exchange created later is found by the periodic re-discovery.
    await ch.assertExchange('nova', 'topic', { durable: false });
    await new Promise((r) => setTimeout(r, 1000));
    ch.publish('nova', 'compute.host1', Buffer.from('{"nova": 1}'));
    const nova = await waitFor('nova cast tapped', () => capture.raws.find((r) => r.exchange === 'nova'));
    expect(nova.routingKey).toBe('compute.host1');

    // Only exclusive, auto-delete, non-durable queues were added; no exchange.
    const added = (await listQueues(vhost.name)).filter((q) => !queuesBefore.includes(q.name));
    expect(added.length).toBeGreaterThan(0);
    for (const q of added) expect(q).toMatchObject({ durable: false, auto_delete: true, exclusive: true });
    const exchangesNow = (await listExchanges(vhost.name)).map((e) => e.name).sort();
    expect(exchangesNow).toEqual([...exchangesBefore, 'nova'].sort());

    await source.stop();
    await waitFor('tap queue gone', async () => {
      const names = (await listQueues(vhost.name)).map((q) => q.name).sort();
      return JSON.stringify(names) === JSON.stringify(queuesBefore);
    });
  });
});
