import { describe, expect, it } from 'vitest';
import { osloProperties } from '@osloscope/shared';
import { toPublishOptions, UnsafeHeaderError } from './publish-options.js';

describe('publish options', () => {
  it('maps oslo properties to amqplib options field by field', () => {
    expect(toPublishOptions({ ...osloProperties(30_000), correlation_id: 'c', reply_to: 'r', message_id: 'm' }, { mandatory: true })).toEqual({
      mandatory: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 0,
      headers: {},
      expiration: '30000',
      correlationId: 'c',
      replyTo: 'r',
      messageId: 'm',
    });
  });

  it('keeps string headers (kombu sets compression this way)', () => {
    expect(toPublishOptions({ headers: { compression: 'application/x-gzip' } }).headers).toEqual({ compression: 'application/x-gzip' });
  });

  it.each([[225], [7], [true], [null], [[1]], [{ a: 'b' }]])('refuses a header value py-amqp may misread: %j', (value) => {
    expect(() => toPublishOptions({ headers: { 'x-any': value } })).toThrow(UnsafeHeaderError);
    expect(() => toPublishOptions({ headers: { 'x-any': value } })).toThrow(/header 'x-any'.*string headers only/);
  });
});
