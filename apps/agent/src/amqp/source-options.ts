import type { CaptureContinuity } from '../ports/capture-continuity.js';
import type { CaptureService } from '../ports/capture-service.js';
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { BackoffOptions } from './backoff.js';
import type { Logger } from '../log.js';
import type { TracingLedger } from './tracing-ledger.js';

/** Options shared by the firehose and tap sources. */
export interface AmqpSourceOptions {
  /** Source name (records' `source`). */
  name: string;
  /** oslo transport URL, e.g. `rabbit://user:pass@h1:5672,user:pass@h2:5672/vhost`. */
  transportUrl: string;
  /** Management API base URL; default `http://<connected host>:15672`. */
  managementUrl?: string;
  capture: CaptureService;
  /** What the capture remembers across runs: with it, a restart records the downtime as a gap (with the broker's count). */
  continuity?: CaptureContinuity;
  /** Firehose: where the agent records tracing it switched on (a later run takes over what a killed one left on). */
  tracingLedger?: TracingLedger;
  directory: ConnectionDirectory;
  log: Logger;
  /** Reconnect backoff. @default { initialMs: 500, maxMs: 30000 } */
  reconnect?: BackoffOptions;
  /** Timers, for tests. Defaults: management refresh 5 s, tracing / exchange check 10 s, capture queue backlog 2 s, broker publish count 5 s. */
  intervals?: { directoryMs?: number; checkMs?: number; backlogMs?: number; brokerCountMs?: number };
}

export interface TapSourceOptions extends AmqpSourceOptions {
  /** Control exchanges to bind to; default: every topic exchange that is not `amq.*` (from the management API). */
  exchanges?: string[];
}
