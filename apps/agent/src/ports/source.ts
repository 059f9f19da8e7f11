import type { SourceHealth } from '@osloscope/shared';

/** A running capture source (firehose, tap, demo, import). */
export interface CaptureSource {
  readonly name: string;
  start(): Promise<void>;
  /** Stop consuming, delete the agent's own queues, switch tracing off if the agent switched it on. */
  stop(): Promise<void>;
  health(): SourceHealth;
}
