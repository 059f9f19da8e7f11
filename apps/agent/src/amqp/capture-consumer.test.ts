import type { ConsumeMessage } from 'amqplib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureAcks } from './capture-consumer.js';

const delivery = (tag: number) => ({ fields: { deliveryTag: tag } }) as ConsumeMessage;

describe('capture queue acks', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** Acks as the channel got them: [delivery tag, multiple]. */
  function channel() {
    const acks: [number, boolean | undefined][] = [];
    return { acks, ch: { ack: (msg: ConsumeMessage, allUpTo?: boolean) => void acks.push([msg.fields.deliveryTag, allUpTo]) } };
  }

  it('acks what the capture took in runs (one ack covers all before it), and the tail of a burst on its timer', () => {
    const { acks, ch } = channel();
    const taking = createCaptureAcks(ch, () => true, 100);
    for (let tag = 1; tag <= 450; tag++) taking.taken(delivery(tag));
    expect(acks).toEqual([
      [200, true],
      [400, true],
    ]);
    vi.advanceTimersByTime(100);
    expect(acks.at(-1)).toEqual([450, true]);
    vi.advanceTimersByTime(1000);
    expect(acks).toHaveLength(3);
    taking.stop();
  });

  it('holds its acks while the capture takes no more (the broker then stops sending), and sends them once it does', () => {
    const { acks, ch } = channel();
    let accepting = false;
    const taking = createCaptureAcks(ch, () => accepting, 100);
    for (let tag = 1; tag <= 2000; tag++) taking.taken(delivery(tag));
    vi.advanceTimersByTime(5_000);
    expect(acks).toEqual([]);
    accepting = true;
    vi.advanceTimersByTime(100);
    expect(acks).toEqual([[2000, true]]);
    taking.stop();
  });

  it('never throws when the channel is gone, and stops acking once stopped', () => {
    const taking = createCaptureAcks(
      {
        ack: () => {
          throw new Error('Channel closed');
        },
      },
      () => true,
      100,
    );
    for (let tag = 1; tag <= 250; tag++) expect(() => taking.taken(delivery(tag))).not.toThrow();
    expect(() => vi.advanceTimersByTime(100)).not.toThrow();
    const { acks, ch } = channel();
    const stopped = createCaptureAcks(ch, () => true, 100);
    stopped.taken(delivery(1));
    stopped.stop();
    vi.advanceTimersByTime(1000);
    expect(acks).toEqual([]);
    taking.stop();
  });
});
