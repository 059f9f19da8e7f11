import { describe, expect, it } from 'vitest';
import type { DeliveryWire, EnvelopeRecord } from './record.js';
import { describeReplayOutcome, type ReplayOutcomeInput } from './replay-outcome.js';

type R = NonNullable<ReplayOutcomeInput['record']>;
const delivery = (server: string | null, redelivered = false): DeliveryWire => ({ queue: 'demo.node-a', connection: 'c', server, redelivered, at: 0 });
const outcome = (o: Partial<NonNullable<EnvelopeRecord['outcome']>>): R['outcome'] => ({
  status: 'pending',
  latencyMs: null,
  replyId: null,
  failure: null,
  heartbeats: 0,
  ...o,
});
const call = (record: Partial<R> | null, over: Partial<ReplayOutcomeInput> = {}): ReplayOutcomeInput => ({
  kind: 'call',
  routed: true,
  record: record && { outcome: outcome({}), deliveries: [], server: null, routingKey: 'demo.node-a', ...record },
  deliveriesVisible: true,
  timeoutMs: 60_000,
  ...over,
});

describe('replay outcome in words', () => {
  it('answered: by whom and how fast', () => {
    expect(describeReplayOutcome(call({ server: 'node-a', outcome: outcome({ status: 'ok', latencyMs: 12.4 }) }))).toEqual({
      verdict: 'answered',
      headline: 'Answered by node-a in 12 ms.',
      broker: null,
    });
  });

  it('remote error: the class and message', () => {
    const w = describeReplayOutcome(
      call({ server: 'node-b', outcome: outcome({ status: 'error', failure: { class: 'ValueError', module: 'builtins', message: 'bad value' } }) }),
    );
    expect(w).toMatchObject({ verdict: 'remote-error', headline: 'The server (node-b) answered with an error: ValueError: bad value.' });
  });

  it('unroutable, whatever the record says', () => {
    expect(describeReplayOutcome(call(null, { routed: false })).verdict).toBe('unroutable');
    expect(describeReplayOutcome(call(null, { routed: false })).headline).toMatch(/no queue is bound/);
  });

  it('timed out and never delivered: names the queue it waited in', () => {
    const w = describeReplayOutcome(call({ outcome: outcome({ status: 'timeout' }) }, { routedQueues: ['demo.node-c'], timeoutMs: 5_000 }));
    expect(w).toEqual({
      verdict: 'timed-out',
      headline: 'Timed out: no reply within 5 s.',
      broker: 'The broker routed it to demo.node-c but never delivered it: no consumer took it from the queue.',
    });
  });

  it('timed out after delivery: once, or redelivered (a consumer failing on it)', () => {
    expect(describeReplayOutcome(call({ outcome: outcome({ status: 'timeout' }), deliveries: [delivery('node-a')] })).broker).toBe(
      'The broker delivered it to node-a once.',
    );
    const storm = describeReplayOutcome(
      call({
        outcome: outcome({ status: 'timeout' }),
        deliveries: [delivery('node-a'), delivery('node-a', true), delivery('node-a', true), delivery('node-a', true)],
      }),
    );
    expect(storm.broker).toMatch(/^The broker delivered it to node-a 4 times, redelivered 3 times: the consumer took it without acknowledging it/);
  });

  it('timed out in tap mode: says the broker side is unknown rather than guessing', () => {
    expect(describeReplayOutcome(call({ outcome: outcome({ status: 'timeout' }) }, { deliveriesVisible: false })).broker).toMatch(
      /not visible in this capture mode/,
    );
  });

  it('a cast is sent, with where it went; a call not yet answered is waiting', () => {
    expect(describeReplayOutcome(call({ outcome: null, deliveries: [delivery('node-b')] }, { kind: 'cast', timeoutMs: null }))).toEqual({
      verdict: 'sent',
      headline: 'Sent (a cast has no reply).',
      broker: 'The broker delivered it to node-b once.',
    });
    expect(describeReplayOutcome(call({})).headline).toBe('Waiting for the reply (up to 60 s).');
    expect(describeReplayOutcome(call(null)).verdict).toBe('waiting');
  });
});
