/**
 * What happened to a replay, in words: the dialog shows it and the audit log keeps it. The
 * verdict comes from the replay's own record (its reply, its timeout, its deliveries), so a
 * timeout says what the broker saw: never delivered, delivered once, or handed over again and
 * again (a consumer that fails on the message and reconnects redelivers it until it expires).
 */
import type { EnvelopeRecord } from './record.js';

export const REPLAY_VERDICTS = ['waiting', 'answered', 'remote-error', 'timed-out', 'unroutable', 'sent'] as const;
export type ReplayVerdict = (typeof REPLAY_VERDICTS)[number];

export interface ReplayOutcomeWords {
  verdict: ReplayVerdict;
  /** One sentence: what happened. */
  headline: string;
  /** What the broker did with the message, when that matters (a timeout, a cast, a pending call). */
  broker: string | null;
}

export interface ReplayOutcomeInput {
  kind: 'call' | 'cast';
  /** `false` when the broker returned the publish as unroutable. */
  routed: boolean;
  /** The replay's record, once captured. */
  record: Pick<EnvelopeRecord, 'outcome' | 'deliveries' | 'server' | 'routingKey'> | null;
  /** Queues the publish was routed to (the detail's broker facts), when known. */
  routedQueues?: readonly string[] | null;
  /** Whether the capture sees deliveries (firehose); tap mode and imports do not. */
  deliveriesVisible: boolean;
  /** Calls: how long the replay waits for its reply. */
  timeoutMs: number | null;
}

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** What the broker did with the replay, from its deliveries. */
export function brokerSawWords(input: Pick<ReplayOutcomeInput, 'record' | 'routedQueues' | 'deliveriesVisible'>): string {
  if (!input.deliveriesVisible) return 'Deliveries are not visible in this capture mode (tap): whether a consumer received it is unknown.';
  const deliveries = input.record?.deliveries ?? [];
  const queues = input.routedQueues && input.routedQueues.length > 0 ? input.routedQueues.join(', ') : null;
  if (deliveries.length === 0) {
    return queues !== null
      ? `The broker routed it to ${queues} but never delivered it: no consumer took it from the queue.`
      : 'The broker never delivered it to a consumer.';
  }
  const redelivered = deliveries.filter((d) => d.redelivered).length;
  const servers = [...new Set(deliveries.map((d) => d.server ?? d.queue))];
  const to = servers.length === 1 ? servers[0]! : servers.join(', ');
  const base = `The broker delivered it to ${to} ${times(deliveries.length)}`;
  if (redelivered === 0) return `${base}.`;
  return `${base}, redelivered ${times(redelivered)}: the consumer took it without acknowledging it (it failed on the message or lost its connection), so the broker handed it over again.`;
}

export function describeReplayOutcome(input: ReplayOutcomeInput): ReplayOutcomeWords {
  if (!input.routed) {
    return { verdict: 'unroutable', headline: 'Unroutable: no queue is bound for this exchange and routing key, so nothing received it.', broker: null };
  }
  const r = input.record;
  if (r === null) return { verdict: 'waiting', headline: 'Published; waiting for the capture to show it.', broker: null };
  if (input.kind === 'cast') return { verdict: 'sent', headline: 'Sent (a cast has no reply).', broker: brokerSawWords(input) };
  const o = r.outcome;
  if (o === null || o.status === 'pending') {
    const wait = input.timeoutMs !== null ? ` (up to ${seconds(input.timeoutMs)})` : '';
    return { verdict: 'waiting', headline: `Waiting for the reply${wait}.`, broker: brokerSawWords(input) };
  }
  if (o.status === 'ok') {
    const by = r.server !== null ? ` by ${r.server}` : '';
    const after = o.latencyMs !== null ? ` in ${o.latencyMs < 1000 ? `${Math.round(o.latencyMs)} ms` : seconds(Math.round(o.latencyMs))}` : '';
    return { verdict: 'answered', headline: `Answered${by}${after}.`, broker: null };
  }
  if (o.status === 'error') {
    const f = o.failure;
    const what = f ? `${f.class}${f.message ? `: ${f.message}` : ''}` : 'an error';
    const by = r.server !== null ? ` (${r.server})` : '';
    return { verdict: 'remote-error', headline: `The server${by} answered with an error: ${what}.`, broker: null };
  }
  const within = input.timeoutMs !== null ? ` within ${seconds(input.timeoutMs)}` : '';
  return { verdict: 'timed-out', headline: `Timed out: no reply${within}.`, broker: brokerSawWords(input) };
}
