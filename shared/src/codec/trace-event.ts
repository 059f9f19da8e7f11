/**
 * Decoding a RabbitMQ firehose event: the original exchange, routing key and properties
 * come from the trace headers, plus the broker facts (oslo-wire-format §6.3).
 */
import type { BrokerFacts, DecodedEnvelope } from '../envelope.js';
import { isPlainObject } from './decode-error.js';
import { decodeMessage, emptyEnvelope, failed } from './decode.js';
import { headerNumber, headerString, readAmqpProperties } from './header-values.js';
import type { DecodeOptions, TraceEvent } from './types.js';

/** What a firehose event's headers tell, without its body: see `readTraceHeaders`. */
export interface TraceHeaderFacts {
  broker: BrokerFacts;
  /** The exchange the message was published to. */
  exchange: string;
  /** The message's own (first) routing key. */
  routingKey: string;
  headers: Record<string, unknown>;
}

/**
 * The broker facts and original exchange / routing key of a firehose event, from its routing
 * key `publish.<exchange>` / `deliver.<queue>` (split on the first dot only: queue names
 * contain dots) and its headers. Reads no body: a deliver whose publish is already known
 * needs only this. Throws only on a hostile header object (a getter that throws).
 */
export function readTraceHeaders(ev: Pick<TraceEvent, 'routingKey' | 'headers'>): TraceHeaderFacts {
  const e: Partial<TraceEvent> = isPlainObject(ev) ? ev : {};
  const headers = isPlainObject(e.headers) ? e.headers : {};
  const traceKey = headerString(e.routingKey) ?? '';
  const dot = traceKey.indexOf('.');
  const verb = dot < 0 ? traceKey : traceKey.slice(0, dot);
  const rest = dot < 0 ? '' : traceKey.slice(dot + 1);
  // Only a malformed routing key needs the guess: deliver events carry `redelivered`.
  const event: BrokerFacts['event'] =
    verb === 'deliver' ? 'deliver' : verb === 'publish' ? 'publish' : headers['redelivered'] !== undefined ? 'deliver' : 'publish';

  const broker: BrokerFacts = {
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
  return { broker, exchange, routingKey, headers };
}

/** Decode a firehose event: its headers (`readTraceHeaders`), then its body. Never throws. */
export function decodeTraceEvent(ev: TraceEvent, opts?: DecodeOptions): DecodedEnvelope {
  let broker: BrokerFacts | null = null;
  try {
    const facts = readTraceHeaders(ev);
    broker = facts.broker;
    const e: Partial<TraceEvent> = isPlainObject(ev) ? ev : {};
    const env = decodeMessage(
      { exchange: facts.exchange, routingKey: facts.routingKey, properties: readAmqpProperties(facts.headers['properties']), body: e.body as Uint8Array },
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
