import { describe, expect, it } from 'vitest';
import { normaliseTable, toAmqpProperties } from './amqp-values.js';

describe('normaliseTable', () => {
  it('turns byte arrays into strings, timestamps and decimals into numbers, recursively', () => {
    const t = normaliseTable({
      exchange_name: 'openstack',
      routing_keys: ['demo', Buffer.from('raw')],
      channel: 1,
      properties: { timestamp: { '!': 'timestamp', value: 1700000000 }, headers: { blob: Buffer.from('héllo') } },
      price: { '!': 'decimal', value: { places: 2, digits: 1234 } },
      redelivered: 0,
      nothing: null,
    });
    expect(t).toEqual({
      exchange_name: 'openstack',
      routing_keys: ['demo', 'raw'],
      channel: 1,
      properties: { timestamp: 1700000000, headers: { blob: 'héllo' } },
      price: 12.34,
      redelivered: 0,
      nothing: null,
    });
  });

  it('gives an empty table for missing or malformed input', () => {
    expect(normaliseTable(undefined)).toEqual({});
    expect(normaliseTable('x')).toEqual({});
    expect(normaliseTable([1])).toEqual({});
  });
});

describe('toAmqpProperties', () => {
  it('maps camelCase to AMQP names and drops unset properties', () => {
    const props = toAmqpProperties({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { 'x-b': Buffer.from('1') },
      deliveryMode: 2,
      priority: 0,
      correlationId: undefined,
      replyTo: undefined,
      expiration: '60000',
      messageId: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
    });
    expect(props).toEqual({
      content_type: 'application/json',
      content_encoding: 'utf-8',
      headers: { 'x-b': '1' },
      delivery_mode: 2,
      priority: 0,
      expiration: '60000',
    });
  });

  it('drops values of the wrong type instead of passing them on', () => {
    expect(toAmqpProperties({ deliveryMode: 'two', replyTo: 5, messageId: 'm1' })).toEqual({ message_id: 'm1' });
    expect(toAmqpProperties(null)).toEqual({});
  });
});
