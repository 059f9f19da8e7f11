/**
 * Decoding a RabbitMQ firehose event: the original exchange, routing key and properties
 * come from the trace headers, plus the broker facts (oslo-wire-format §6.3).
 */
import type { BrokerFacts, DecodedEnvelope } from '../envelope.js';
import { isPlainObject } from './decode-error.js';
import { decodeMessage, emptyEnvelope, failed } from './decode.js';
import { headerNumber, headerString, readAmqpProperties } from './header-values.js';
import type { DecodeOptions, TraceEvent } from './types.js';

/**
 * Decode a firehose event. Routing key `publish.<exchange>` / `deliver.<queue>` (split on
 * the first dot only: queue names contain dots). Never throws.
 */
export function decodeTraceEvent(ev: TraceEvent, opts?: DecodeOptions): DecodedEnvelope {
  let broker: BrokerFacts | null = null;
  try {
    const e: Partial<TraceEvent> = isPlainObject(ev) ? ev : {};
    const headers = isPlainObject(e.headers) ? e.headers : {};
    const traceKey = headerString(e.routingKey) ?? '';
    const dot = traceKey.indexOf('.');
    const verb = dot < 0 ? traceKey : traceKey.slice(0, dot);
    const rest = dot < 0 ? '' : traceKey.slice(dot + 1);
    // Only a malformed routing key needs the guess: deliver events carry `redelivered`.
    const event: BrokerFacts['event'] =
      verb === 'deliver' ? 'deliver' : verb === 'publish' ? 'publish' : headers['redelivered'] !== undefined ? 'deliver' : 'publish';

    broker = {
      event,
      queue: event === 'deliver' ? rest : null,
      node: headerString(headers['node']),
      vhost: headerString(headers['vhost']),
      connection: headerString(headers['connection']),
      channel: headerNumber(headers['channel']),
      user: headerString(headers['user']),
      routedQueues: event === 'publish' ? readStringList(headers['routed_queues']) : null,
      redelivered: event === 'deliver' ? readFlag(headers['redelivered']) : null,
    };
    const exchange = headerString(headers['exchange_name']) ?? (event === 'publish' ? rest : '');
    const keys = headers['routing_keys'];
    const routingKey = (Array.isArray(keys) ? headerString(keys[0]) : headerString(keys)) ?? '';
    const env = decodeMessage(
      { exchange, routingKey, properties: readAmqpProperties(headers['properties']), body: e.body as Uint8Array },
      opts,
    );
    env.broker = broker;
    return env;
  } catch (err) {
    const env = failed(emptyEnvelope('', '', {}, 0), err);
    env.broker = broker;
    return env;
  }
}

function readStringList(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  const out: string[] = [];
  for (const item of v) {
    const s = headerString(item);
    if (s !== null) out.push(s);
  }
  return out;
}

function readFlag(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const n = headerNumber(v);
  return n === null ? null : n !== 0;
}
