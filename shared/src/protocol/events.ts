/**
 * The typed socket.io protocol between agent and web, defined once here.
 * Names are `noun:verb`. Everything is wire data: epoch ms, arrays, records.
 */
import type { EnvelopeFilter } from '../filter-types.js';
import type { FlowAggregate, VersionReport } from '../flows.js';
import type { HealthReport } from '../health.js';
import type { CaptureGap, EnvelopeDetail, EnvelopeRecord } from '../record.js';

/** Bump on any breaking wire change; sent in `hello`. (2: updates leave body fields out.) */
export const PROTOCOL_VERSION = 2;

export interface AgentHello {
  protocolVersion: number;
  agentVersion: string;
  health: HealthReport;
}

export interface EnvelopeBatch {
  /**
   * Records new since the last batch, oldest first, without their context (`withoutContext`:
   * `context` is null; `envelope:get` gives the whole record).
   */
  items: EnvelopeRecord[];
  /**
   * Records already sent (in `items` or history) whose correlation/outcome/deliveries changed,
   * without their body fields (`withoutBody`: args, context, a reply's result, a notification's
   * payload are null): those never change, keep the ones received (`withBodyOf`).
   */
  updates: EnvelopeRecord[];
  /** Messages matching the subscription that were not sent (slow client coalescing). */
  skipped: number;
  /** True for batches that are history (sent before live ones after a subscribe). */
  history: boolean;
}

export interface SubscribeRequest {
  filter: EnvelopeFilter;
  /** How many most recent matching records to send first. @default 500 */
  historyLimit?: number;
}

/** Subscribe ack: how many stored messages match (`totalCapped`: `total` is a lower bound). */
export interface SubscribeResult {
  total: number;
  totalCapped?: boolean;
}

/** What an acknowledgement carries: the value, or a human-readable error. */
export type AckResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** socket.io acknowledgement callback of a client → server request. */
export type Ack<T> = (res: AckResult<T>) => void;

export interface ServerToClientEvents {
  hello: (info: AgentHello) => void;
  'envelopes:batch': (batch: EnvelopeBatch) => void;
  'health:update': (health: HealthReport) => void;
  'capture:gap': (gap: CaptureGap) => void;
}

export interface ClientToServerEvents {
  'stream:subscribe': (req: SubscribeRequest, ack: Ack<SubscribeResult>) => void;
  'envelope:get': (id: number, ack: Ack<EnvelopeDetail>) => void;
  'flows:get': (filter: EnvelopeFilter, ack: Ack<FlowAggregate[]>) => void;
  'versions:get': (filter: EnvelopeFilter, ack: Ack<VersionReport[]>) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

export interface SocketData {
  filter: EnvelopeFilter;
}
