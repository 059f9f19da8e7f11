/**
 * The one way osloscope turns AMQP properties into amqplib publish options (replay, and the
 * bench and test traffic helpers). Whatever osloscope publishes lands in an oslo server's
 * consumer, so it must use only field-table types that py-amqp (under kombu and
 * oslo.messaging) and the other AMQP clients OpenStack runs decode the same way.
 *
 * amqplib writes an integer header from 128 to 32,767 as field type `s` (a signed 16-bit
 * integer, as RabbitMQ reads it); py-amqp reads `s` as a short string, so such a header breaks
 * the whole table: `IndexError` for 128–255 (the consumer reconnects, the message is
 * redelivered until it expires), silent garbage above. Header values are therefore strings
 * only (field type `S`, read alike everywhere); anything else is refused before it is sent.
 */
import type { Options } from 'amqplib';
import type { AmqpProperties } from '@osloscope/shared';

export class UnsafeHeaderError extends Error {}

/** `null` when every header value is a string; otherwise what is wrong, naming the header. */
export function unsafeHeader(headers: Record<string, unknown> | undefined): string | null {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') {
      const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      return `header '${name}' is a ${type}: osloscope publishes string headers only (py-amqp misreads amqplib's other field types)`;
    }
  }
  return null;
}

/**
 * amqplib publish options from AMQP-named properties.
 * @throws UnsafeHeaderError when a header value is not a string
 */
export function toPublishOptions(p: AmqpProperties, extra: Pick<Options.Publish, 'mandatory'> = {}): Options.Publish {
  const problem = unsafeHeader(p.headers);
  if (problem !== null) throw new UnsafeHeaderError(problem);
  const o: Options.Publish = { ...extra };
  if (p.content_type !== undefined) o.contentType = p.content_type;
  if (p.content_encoding !== undefined) o.contentEncoding = p.content_encoding;
  if (p.headers !== undefined) o.headers = { ...p.headers };
  if (p.delivery_mode !== undefined) o.deliveryMode = p.delivery_mode;
  if (p.priority !== undefined) o.priority = p.priority;
  if (p.expiration !== undefined) o.expiration = p.expiration;
  if (p.correlation_id !== undefined) o.correlationId = p.correlation_id;
  if (p.reply_to !== undefined) o.replyTo = p.reply_to;
  if (p.message_id !== undefined) o.messageId = p.message_id;
  return o;
}
