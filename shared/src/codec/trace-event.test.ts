/** Trace headers as amqplib may hand them over: bytes for longstr, bigint, odd routing keys. */
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.js';
import { encodeRequest } from './encode.js';
import { decodeTraceEvent, readTraceHeaders } from './trace-event.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const request = encodeRequest({
  exchange: 'nova',
  topic: 'compute',
  server: 'cn-1.example.org',
  method: 'reboot',
  args: {},
  msgId: 'm1',
  replyQueue: 'reply_x',
  uniqueId: 'u1',
  timeoutMs: 5000,
});

describe('decodeTraceEvent', () => {
  it('accepts byte-array longstr values, bigint integers and redelivered 1', () => {
    const e = decodeTraceEvent({
      routingKey: 'deliver.compute.cn-1.example.org',
      headers: {
        exchange_name: enc('nova'),
        routing_keys: [enc('compute.cn-1.example.org')],
        properties: { expiration: enc('5000'), delivery_mode: 2n, headers: { compression: null }, bogus: 1 },
        node: enc('rabbit@n1'),
        redelivered: 1,
        vhost: enc('/prod'),
        connection: enc('10.0.0.5:41000 -> 10.0.0.1:5672'),
        channel: 3n,
        user: enc('nova'),
      },
      body: request.body,
    });
    expect(e.decodeError).toBeNull();
    expect(e.broker).toEqual({
      event: 'deliver',
      queue: 'compute.cn-1.example.org',
      node: 'rabbit@n1',
      vhost: '/prod',
      connection: '10.0.0.5:41000 -> 10.0.0.1:5672',
      channel: 3,
      user: 'nova',
      routedQueues: null,
      redelivered: true,
    });
    expect(e.properties).toEqual({ expiration: '5000', delivery_mode: 2, headers: { compression: null } });
    expect([e.kind, e.exchange, e.routingKey, e.expirationMs]).toEqual(['call', 'nova', 'compute.cn-1.example.org', 5000]);
    // Topic/server split on the first dot: server names (host names) keep theirs.
    expect([e.target?.topic, e.target?.server]).toEqual(['compute', 'cn-1.example.org']);
  });

  it('publish to the default exchange (`publish.`), exchange from the trace key when the header is missing', () => {
    const p = decodeTraceEvent({ routingKey: 'publish.', headers: { exchange_name: '', routing_keys: ['reply_x'], routed_queues: [] }, body: request.body });
    expect([p.exchange, p.routingKey, p.broker?.event, p.broker?.queue, p.broker?.routedQueues, p.broker?.redelivered]).toEqual([
      '',
      'reply_x',
      'publish',
      null,
      [],
      null,
    ]);
    const q = decodeTraceEvent({ routingKey: 'publish.nova', headers: { routing_keys: ['compute'] }, body: request.body });
    expect([q.exchange, q.target?.exchange, q.broker?.node, q.broker?.channel]).toEqual(['nova', 'nova', null, null]);
  });

  it('a malformed trace routing key still yields broker facts; a tap copy has none', () => {
    const e = decodeTraceEvent({ routingKey: 'garbage', headers: { redelivered: 0, exchange_name: 'nova', routing_keys: ['compute'] }, body: request.body });
    expect([e.kind, e.broker?.event, e.broker?.redelivered]).toEqual(['call', 'deliver', false]);
    expect(decodeMessage({ exchange: 'nova', routingKey: 'compute', properties: {}, body: request.body }).broker).toBeNull();
  });
});

describe('readTraceHeaders', () => {
  it('gives a deliver event the same broker facts, exchange and routing key as the full decode, without a body', () => {
    const ev = {
      routingKey: 'deliver.compute.cn-1.example.org',
      headers: {
        exchange_name: 'nova',
        routing_keys: ['compute.cn-1.example.org'],
        node: 'rabbit@n1',
        connection: '10.0.0.5:41000 -> 10.0.0.1:5672',
        redelivered: 0,
      },
    };
    const facts = readTraceHeaders(ev);
    const full = decodeTraceEvent({ ...ev, body: request.body });
    expect(facts.broker).toEqual(full.broker);
    expect([facts.exchange, facts.routingKey]).toEqual([full.exchange, full.routingKey]);
    expect(facts.broker).toMatchObject({ event: 'deliver', queue: 'compute.cn-1.example.org', redelivered: false });
  });
});
