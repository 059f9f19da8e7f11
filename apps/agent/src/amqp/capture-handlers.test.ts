import { readFileSync } from 'node:fs';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import type { RawCapture } from '../ports/raw-capture.js';
import { loggerFrom, silentLogger } from '../../test/support/loggers.js';
import { createCaptureDeliveryHandler } from './capture-delivery-handler.js';
import { TRACE_EVENT } from './firehose-source.js';
import { TAPPED_MESSAGE } from './tap-source.js';
import { selectTapExchanges } from './tap-exchanges.js';

interface FixtureLine {
  routingKey: string;
  exchange: string;
  properties: { headers: Record<string, unknown> };
  bodyBase64: string;
}
const lines = readFileSync(new URL('../../../../shared/test/fixtures/oslo-firehose-sample.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as FixtureLine);

/** A delivery as amqplib hands it over (Buffer body, camelCase properties, unset = undefined). */
function delivery(exchange: string, routingKey: string, properties: Record<string, unknown>, body: Buffer): ConsumeMessage {
  return {
    fields: { deliveryTag: 1, redelivered: false, exchange, routingKey, consumerTag: 'c' },
    properties: {
      contentType: undefined,
      contentEncoding: undefined,
      headers: undefined,
      deliveryMode: undefined,
      priority: undefined,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      messageId: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
      ...properties,
    },
    content: body,
  } as ConsumeMessage;
}

const sink = () => {
  const got: RawCapture[] = [];
  let dropped = 0;
  return { got, dropped: () => dropped, capture: { ingest: (r: RawCapture) => void got.push(r), countDropped: (n: number) => void (dropped += n) } };
};

describe('capture delivery handler on firehose trace events', () => {
  it('hands every trace event over with its routing key, trace headers and the body bytes uncopied', () => {
    const s = sink();
    const handle = createCaptureDeliveryHandler(TRACE_EVENT, 'prod', s.capture, silentLogger, () => undefined);
    const bodies = lines.map((l) => Buffer.from(l.bodyBase64, 'base64'));
    lines.forEach((l, i) => handle(delivery(l.exchange, l.routingKey, { headers: structuredClone(l.properties.headers) }, bodies[i]!)));
    expect(s.got).toHaveLength(lines.length);
    const first = s.got[0]!;
    expect(first).toMatchObject({ source: 'prod', origin: 'firehose', exchange: 'amq.rabbitmq.trace', routingKey: 'publish.openstack', properties: {} });
    expect(first.headers).toEqual(lines[0]!.properties.headers);
    expect(first.body).toBe(bodies[0]); // same bytes, no copy
    expect(s.got.map((r) => r.routingKey)).toEqual(lines.map((l) => l.routingKey));
  });

  it('converts byte-array header values that amqplib leaves as Buffers', () => {
    const s = sink();
    const handle = createCaptureDeliveryHandler(TRACE_EVENT, 'prod', s.capture, silentLogger, () => undefined);
    handle(
      delivery(
        'amq.rabbitmq.trace',
        'publish.',
        { headers: { exchange_name: '', node: Buffer.from('rabbit@vm'), routing_keys: [Buffer.from('reply_1')] } },
        Buffer.from('{}'),
      ),
    );
    expect(s.got[0]!.headers).toEqual({ exchange_name: '', node: 'rabbit@vm', routing_keys: ['reply_1'] });
  });

  it('counts a message the capture core throws on as dropped and keeps going', () => {
    const logged: string[] = [];
    let dropped = 0;
    let calls = 0;
    const handle = createCaptureDeliveryHandler(
      TRACE_EVENT,
      'prod',
      {
        ingest: () => {
          calls++;
          if (calls === 1) throw new Error('store full');
        },
        countDropped: (n) => void (dropped += n),
      },
      loggerFrom((_l, m) => void logged.push(m)),
      () => undefined,
    );
    const line = lines[0]!;
    handle(delivery(line.exchange, line.routingKey, { headers: structuredClone(line.properties.headers) }, Buffer.from('x')));
    handle(delivery(line.exchange, line.routingKey, { headers: structuredClone(line.properties.headers) }, Buffer.from('y')));
    expect(calls).toBe(2);
    expect(dropped).toBe(1);
    expect(logged).toEqual(['capture core failed to ingest a trace event']);
  });

  it('reports a consumer cancelled by the broker', () => {
    let cancelled = 0;
    createCaptureDeliveryHandler(TRACE_EVENT, 'p', sink().capture, silentLogger, () => void cancelled++)(null);
    expect(cancelled).toBe(1);
  });
});

describe('capture delivery handler on tapped messages', () => {
  it('keeps the original exchange, routing key and AMQP properties of the copied message', () => {
    const s = sink();
    const handle = createCaptureDeliveryHandler(TAPPED_MESSAGE, 'prod', s.capture, silentLogger, () => undefined);
    const body = Buffer.from('{}');
    handle(
      delivery(
        'openstack',
        'demo.node-a',
        { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, expiration: '60000', headers: {} },
        body,
      ),
    );
    expect(s.got[0]!.body).toBe(body); // same bytes, no copy
    expect(s.got[0]).toMatchObject({
      source: 'prod',
      origin: 'tap',
      exchange: 'openstack',
      routingKey: 'demo.node-a',
      headers: {},
      properties: { content_type: 'application/json', content_encoding: 'utf-8', delivery_mode: 2, priority: 0, expiration: '60000', headers: {} },
    });
  });
});

describe('selectTapExchanges', () => {
  const ex = (name: string, type: string, internal = false) => ({ name, type, durable: true, autoDelete: false, internal });
  const all = [
    ex('', 'direct'),
    ex('amq.topic', 'topic'),
    ex('amq.rabbitmq.trace', 'topic', true),
    ex('openstack', 'topic'),
    ex('nova', 'topic'),
    ex('demo_fanout', 'fanout'),
    ex('other', 'fanout'),
    ex('amq.fanout', 'fanout'),
  ];
  it('binds to non-amq topic exchanges and <topic>_fanout exchanges', () => {
    expect(selectTapExchanges(all)).toEqual({ control: ['nova', 'openstack'], fanout: ['demo_fanout'] });
  });
  it('uses the given control exchanges instead of discovered ones', () => {
    expect(selectTapExchanges(all, ['nova', 'amq.topic', 'nova'])).toEqual({ control: ['nova'], fanout: ['demo_fanout'] });
  });
});
