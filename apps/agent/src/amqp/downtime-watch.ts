/**
 * A broker source's part in downtime accounting: while it captures it saves the broker's
 * publish counter every few seconds (with the newest record id, amqp-source.ts), and on its first
 * connection of a run, before capture starts, it records the gap since the previous run of the
 * agent was last alive (downtime-gap.ts).
 */
import type { BrokerCount, CaptureContinuity } from '../ports/capture-continuity.js';
import type { CaptureService } from '../ports/capture-service.js';
import type { Logger } from '../log.js';
import { downtimeGap } from './downtime-gap.js';
import type { ManagementClient } from './management-client.js';

export interface DowntimeWatch {
  /** First connection of this run, before capture starts: record the downtime gap (once). Never throws. */
  beforeCapture(): Promise<void>;
  /** While capturing: save the broker's count. Never throws. */
  sample(): Promise<void>;
}

export interface DowntimeWatchOptions {
  source: string;
  vhost: string;
  /** Management client for the connected host. */
  management: () => ManagementClient;
  continuity: CaptureContinuity;
  capture: Pick<CaptureService, 'markGap'>;
  /**
   * The source captures every message published into the vhost (firehose): only then does the
   * broker's counter say how many it missed. Tap mode sees only some.
   */
  countsEverything: boolean;
  log: Logger;
  now?: () => number;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The vhost's publish counter, and when the broker's latest-started node started (null when not visible). */
export async function readBrokerCount(client: ManagementClient, vhost: string, now: number): Promise<BrokerCount> {
  const [vh, nodes] = await Promise.all([client.getVhost(vhost), client.getNodes().catch(() => null)]);
  if (vh.published === null) {
    throw new Error(
      `the broker has no publish statistics for vhost "${vhost}": nothing was published on it since the broker started, or its statistics are off`,
    );
  }
  const starts = (nodes ?? []).filter((n) => n.running).map((n) => (n.uptimeMs === null ? null : now - n.uptimeMs));
  const known = starts.length > 0 && starts.every((s) => s !== null);
  return { published: vh.published, brokerStartedAt: known ? Math.max(...(starts as number[])) : null };
}

export function createDowntimeWatch(opts: DowntimeWatchOptions): DowntimeWatch {
  const { source, vhost, continuity, log } = opts;
  const now = opts.now ?? Date.now;
  let checked = false;

  const read = () => readBrokerCount(opts.management(), vhost, now());

  return {
    async beforeCapture() {
      if (checked) return;
      checked = true;
      let current: BrokerCount | { unknown: string };
      if (!opts.countsEverything) {
        current = { unknown: "tap mode captures only part of the vhost's messages, so the broker's count does not say how many it missed" };
      } else {
        try {
          current = await read();
        } catch (e) {
          current = { unknown: `the broker's publish counter could not be read (${describe(e)})` };
        }
      }
      const from = continuity.previousRunAliveAt;
      if (from !== null) {
        const saved = opts.countsEverything ? continuity.brokerCount(source) : null;
        const capturedAfterSaved = saved ? continuity.capturedAfter(source, saved.lastId) : 0;
        const gap = downtimeGap({ source, vhost, from, to: now(), saved, current, capturedAfterSaved });
        log.warn(gap.reason, { since: new Date(from).toISOString() });
        try {
          opts.capture.markGap(gap);
        } catch {
          /* the capture core's problem; capture goes on */
        }
      }
      if ('published' in current) continuity.saveBrokerCount(source, current);
    },
    async sample() {
      if (!opts.countsEverything) return;
      try {
        continuity.saveBrokerCount(source, await read());
      } catch {
        // The last saved count stays good: what was captured since is counted from its record id.
      }
    },
  };
}
