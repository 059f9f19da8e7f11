/**
 * What the agent's log says about a capture store that cannot write: once when writes start
 * failing (why, the file, and what happens meanwhile), once when they succeed again, and how
 * many captured messages a close could not write. Never a line per retry.
 */
import type { Logger } from '../log.js';
import type { WriteErrorState } from '../store/record-writeback.js';

export interface StoreWriteLog {
  failed(error: WriteErrorState): void;
  resumed(error: WriteErrorState): void;
  /** Closing with `n` new messages unwritten, for the reason `why`. */
  lost(n: number, why: string, path: string | null): void;
}

/** @param unwritten new messages not written now */
export function createStoreWriteLog(log: Logger, unwritten: () => number): StoreWriteLog {
  return {
    failed: (e) =>
      log.error(`capture store cannot write: ${e.message}${e.path === null ? '' : `: ${e.path}`}`, {
        cause: e.cause,
        meanwhile: `the ${unwritten()} messages not written are kept and retried every second; new events wait in the capture queue on the broker`,
      }),
    resumed: (e) => log.info(`capture store writes again after ${Math.round((Date.now() - e.since) / 1000)} s`, { unwritten: unwritten() }),
    lost: (n, why, path) => log.error(`could not write ${n.toLocaleString('en-US')} captured messages: ${why}`, path === null ? {} : { path }),
  };
}
