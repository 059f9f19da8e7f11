import type { CaptureService } from '../ports/capture-service.js';
import type { RawCapture } from '../ports/raw-capture.js';
import type { Logger } from '../log.js';

/**
 * Hands RawCaptures to the capture core from amqplib's message callback. A throwing core
 * must never reach amqplib's socket handler: the message is counted as dropped (so the
 * loss shows in health) and logged sparsely (1st, 10th, 100th ... failure), never a flood.
 */
export function createGuardedIngest(
  source: string,
  capture: Pick<CaptureService, 'ingest' | 'countDropped'>,
  log: Logger,
  what: string,
): (raw: RawCapture) => void {
  let failures = 0;
  return (raw) => {
    try {
      capture.ingest(raw);
    } catch (e) {
      failures++;
      try {
        capture.countDropped(1);
      } catch {
        /* nothing more to do */
      }
      if (Number.isInteger(Math.log10(failures))) {
        log.error(`capture core failed to ingest ${what}`, { source, failures, error: String(e) });
      }
    }
  };
}
