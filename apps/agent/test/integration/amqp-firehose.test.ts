/**
 * Firehose source against the real local RabbitMQ: switches tracing on, captures the
 * publishes and deliveries of a plain amqplib publisher/consumer, refreshes the
 * connection directory, and on stop switches tracing off and leaves nothing behind.
 */
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { createFirehoseSource } from '../../src/amqp/firehose-source.js';
import { isTracing } from '../support/management.js';
import { listQueues, recordingCapture, recordingDirectory, recordingLog, useSourceTestBroker, waitFor, silentLogger } from './amqp-helpers.js';

const broker = useSourceTestBroker('amqp-firehose');

describe('firehose source', () => {
  it('enables tracing, captures publishes and deliveries, and cleans up on stop', async () => {
    const vhost = broker.vhost;
    expect(await isTracing(vhost.name)).toBe(false);
    const capture = recordingCapture();
    const directory = recordingDirectory();
    const { lines, log } = recordingLog();
    const source = (broker.source = createFirehoseSource({
      name: 'it-firehose',
      transportUrl: vhost.url,
      capture,
      directory,
      log,
      intervals: { directoryMs: 300, checkMs: 1000 },
    }));
    await source.start();

    const h = source.health();
    expect(h).toMatchObject({ mode: 'firehose', state: 'connected', vhost: vhost.name, host: '127.0.0.1:5672', tracingEnabledByAgent: true, reconnects: 0 });
    expect(h.url).toBe(`rabbit://guest:***@127.0.0.1:5672/${encodeURIComponent(vhost.name)}`);
    expect(h.tracing).toEqual([{ node: expect.stringMatching(/^rabbit@/), tracing: true }]);
    expect(h.warnings).toEqual([]);
    expect(await isTracing(vhost.name)).toBe(true);
    expect(lines.some((l) => l.level === 'info' && /switched tracing .*on/.test(l.msg))).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('guest:guest');

    // A plain application: publish three messages, consume them with acks.
    const app = (broker.app = await amqp.connect(vhost.amqpUrl, { clientProperties: { connection_name: 'it-app:4242:abc' } }));
    const ch = await app.createChannel();
    await ch.assertQueue('app-q', { durable: false });
    for (const n of [1, 2, 3]) ch.sendToQueue('app-q', Buffer.from(`{"n": ${n}}`), { contentType: 'application/json', expiration: '60000' });
    const got: string[] = [];
    await ch.consume('app-q', (m) => {
      if (!m) return;
      got.push(m.content.toString());
      ch.ack(m);
    });
    await waitFor('app to receive its messages', () => got.length === 3);

    const events = await waitFor('3 publish + 3 deliver trace events', () => {
      const pub = capture.raws.filter((r) => r.routingKey === 'publish.');
      const del = capture.raws.filter((r) => r.routingKey === 'deliver.app-q');
      return pub.length === 3 && del.length === 3 ? { pub, del } : null;
    });
    expect(events.pub.map((r) => new TextDecoder().decode(r.body))).toEqual(['{"n": 1}', '{"n": 2}', '{"n": 3}']);
    const p = events.pub[0]!;
    expect(p).toMatchObject({ source: 'it-firehose', origin: 'firehose', exchange: 'amq.rabbitmq.trace', properties: {} });
    expect(p.headers).toMatchObject({
      exchange_name: '',
      routing_keys: ['app-q'],
      vhost: vhost.name,
      user: 'guest',
      routed_queues: ['app-q'],
      properties: { content_type: 'application/json', expiration: '60000' },
    });
    expect(typeof p.headers['connection']).toBe('string');
    expect(p.body).toBeInstanceOf(Uint8Array);
    expect(events.del[0]!.headers).toMatchObject({ redelivered: 0, exchange_name: '' });
    expect(capture.marked).toEqual([]);

    // The directory learns which connection consumes app-q and which process it is.
    const appConnection = events.del[0]!.headers['connection'] as string;
    const update = await waitFor('directory update naming the app consumer', () =>
      directory.updates.find((u) => u.facts.consumers[appConnection]?.includes('app-q') && u.facts.processes[appConnection]),
    );
    expect(update.source).toBe('it-firehose');
    expect(update.facts.processes[appConnection]).toBe('it-app:4242:abc');

    // Stop: tracing back off (the agent switched it on), no agent queue left.
    await source.stop();
    expect(source.health().state).toBe('stopped');
    expect(await isTracing(vhost.name)).toBe(false);
    const queues = await waitFor('agent queue gone', async () => {
      const qs = await listQueues(vhost.name);
      return qs.every((q) => q.name === 'app-q') ? qs : null;
    });
    expect(queues.map((q) => q.name)).toEqual(['app-q']);
  });

  it('leaves tracing on at stop when it was on before the agent came', async () => {
    const vhost = broker.vhost;
    const capture = recordingCapture();
    const { setTracing } = await import('../support/management.js');
    await setTracing(vhost.name, true);
    const s = createFirehoseSource({ name: 'it-firehose-2', transportUrl: vhost.url, capture, directory: recordingDirectory(), log: silentLogger });
    broker.source = s;
    await s.start();
    expect(s.health()).toMatchObject({ state: 'connected', tracingEnabledByAgent: false });
    await s.stop();
    expect(await isTracing(vhost.name)).toBe(true);
    await setTracing(vhost.name, false);
  });
});
