/**
 * How the agent declares the one queue it consumes (the firehose's, or the tap's): its own,
 * so the application's messages are never consumed, acked or requeued. B1's bare consumer
 * declares its trace queue with the same options, so both read from identical queues.
 */
import type { Options } from 'amqplib';

/**
 * Server-named (`''`), exclusive and auto-delete: gone with the agent's connection, nothing left
 * behind. Not durable: a capture queue does not outlive a broker restart either. Default queue
 * type and arguments: `x-queue-version: 2` held a backlog in more broker memory, not less
 * (docs/performance.md).
 */
export const CAPTURE_QUEUE_OPTIONS: Readonly<Options.AssertQueue> = Object.freeze({
  exclusive: true,
  autoDelete: true,
  durable: false,
});
