/**
 * How the agent consumes its own capture queue (firehose or tap): with acks and a bounded
 * prefetch rather than noAck, so the capture decides how much the broker sends it. The broker
 * has at most CAPTURE_PREFETCH events on their way to the agent; the agent acks what it took,
 * a run at a time, only while the capture takes more (CaptureService.acceptsMore). While it
 * does not (the store cannot write, its writer is stalled), the acks are held, the broker sends
 * nothing more, and new events wait in the capture queue on the broker instead of in the agent's
 * memory; once it does, the held acks go out and the queue drains. Pausing by cancelling the
 * consumer is no option: the queue is auto-delete, and would go with its last consumer. These
 * acks are for the agent's own queue: the application's messages are never acked.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import type { CaptureService } from '../ports/capture-service.js';
import type { Logger } from '../log.js';
import { createCaptureDeliveryHandler, type CaptureDeliveryKind } from './capture-delivery-handler.js';
import { CAPTURE_QUEUE_OPTIONS } from './capture-queue.js';

/**
 * Events sent and not yet acked, per capture queue: at the ~10,000 events/s of a busy cloud,
 * 0.2 s of traffic (the broker never waits for an ack on a local link), a few MB of memory.
 */
export const CAPTURE_PREFETCH = 2_000;
/** One ack (`multiple`) per this many deliveries taken. */
const ACK_EVERY = 200;
/** And at least this often: the tail of a burst, and the held acks once the capture takes more. */
const ACK_CHECK_MS = 100;

export interface CaptureAcks {
  /** A delivery was handed to the capture. */
  taken(msg: ConsumeMessage): void;
  /** The channel is gone (its unacked deliveries with it). */
  stop(): void;
}

/** Acks deliveries taken, in runs, while `acceptsMore()`; holds them otherwise. */
export function createCaptureAcks(ch: Pick<Channel, 'ack'>, acceptsMore: () => boolean, checkMs = ACK_CHECK_MS): CaptureAcks {
  let last: ConsumeMessage | null = null;
  let unacked = 0;
  const ackTaken = (): void => {
    if (last === null || !acceptsMore()) return;
    const msg = last;
    last = null;
    unacked = 0;
    try {
      ch.ack(msg, true);
    } catch {
      // The channel closed under us: the session reconnects, the queue went with the channel.
    }
  };
  const timer = setInterval(ackTaken, checkMs);
  timer.unref();
  return {
    taken(msg) {
      last = msg;
      if (++unacked >= ACK_EVERY) ackTaken();
    },
    stop() {
      clearInterval(timer);
      last = null;
    },
  };
}

/**
 * Declare the agent's capture queue on `ch` and consume it (its only consumer), each delivery
 * handed to the capture; returns the queue's server-made name. `lost`: the broker cancelled
 * the consumer (the session reconnects).
 */
export async function openCaptureQueue(
  ch: Channel,
  kind: CaptureDeliveryKind,
  source: { name: string; capture: Pick<CaptureService, 'ingest' | 'countDropped' | 'acceptsMore'>; log: Logger },
  lost: (e: Error) => void,
): Promise<string> {
  // '' = server-named; exclusive + auto-delete: gone when our connection closes.
  const q = await ch.assertQueue('', { ...CAPTURE_QUEUE_OPTIONS });
  await ch.prefetch(CAPTURE_PREFETCH);
  const acks = createCaptureAcks(ch, () => source.capture.acceptsMore());
  ch.on('close', () => acks.stop());
  const onCancel = () => lost(new Error(`${kind.origin} capture queue consumer cancelled by the broker`));
  await ch.consume(q.queue, createCaptureDeliveryHandler(kind, source.name, source.capture, source.log, onCancel, acks.taken), {
    noAck: false,
    exclusive: true,
  });
  return q.queue;
}
