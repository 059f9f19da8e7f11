/**
 * New messages the capture had to drop (its write queue full), as capture gaps: one per source
 * and run of drops, marked when the run ends with how many it lost, so the gap says what is
 * missing rather than that something is.
 */
import type { CaptureGap } from '@osloscope/shared';
import type { RawCapture } from '../ports/raw-capture.js';

interface Run {
  from: number;
  to: number;
  count: number;
  reason: string;
}

export interface DropRuns {
  /** One more message dropped; `reason` is asked when a run starts. */
  dropped(raw: Pick<RawCapture, 'source' | 'receivedAt'>, reason: () => string): void;
  /** Messages are kept again (or capture stops): mark each open run's gap. */
  end(): void;
}

export function createDropRuns(markGap: (gap: CaptureGap) => void): DropRuns {
  const runs = new Map<string, Run>();
  return {
    dropped(raw, reason) {
      const run = runs.get(raw.source);
      if (run) {
        run.count++;
        run.to = raw.receivedAt;
      } else runs.set(raw.source, { from: raw.receivedAt, to: raw.receivedAt, count: 1, reason: reason() });
    },
    end() {
      if (runs.size === 0) return;
      for (const [source, run] of runs) {
        markGap({ source, from: run.from, to: run.to, reason: `${run.reason}: ${run.count.toLocaleString('en-US')} messages dropped` });
      }
      runs.clear();
    },
  };
}
