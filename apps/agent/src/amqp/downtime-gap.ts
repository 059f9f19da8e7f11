/**
 * The gap a restart records for the time the agent was not running, with how many messages it
 * missed when the broker can tell: the vhost's publish counter now, less the counter the
 * previous run last saved, less what that run still captured after saving it. The counter is
 * the management API's (`message_stats.publish`): refreshed every ~5 s and reset when a node
 * restarts, so the count is only given when the broker did not restart in between, and it is
 * as exact as the counter was current at both readings.
 */
import type { CaptureGap } from '@osloscope/shared';
import type { BrokerCount, SavedBrokerCount } from '../ports/capture-continuity.js';

/** Node start times this close count as the same start (they are derived from uptimes read at different moments). */
const SAME_START_MS = 30_000;

export interface DowntimeFacts {
  source: string;
  vhost: string;
  /** When the previous run was last alive. */
  from: number;
  /** When this run read the broker's counter (its capture starts right after). */
  to: number;
  /** The previous run's last reading, null if it made none. */
  saved: SavedBrokerCount | null;
  /** This run's reading, or why there is none. */
  current: BrokerCount | { unknown: string };
  /** The source's messages the previous run stored after its last reading. */
  capturedAfterSaved: number;
}

type Lost = { lost: number } | { unknown: string };

/** How many messages the downtime lost, or why that is not known. */
export function lostInDowntime(f: DowntimeFacts): Lost {
  const { saved, current } = f;
  if ('unknown' in current) return current;
  if (!saved) return { unknown: "the agent had not read the broker's publish counter before it stopped" };
  if (saved.brokerStartedAt === null || current.brokerStartedAt === null) {
    return { unknown: 'the management user cannot see when the broker started (tag "monitoring"), so a broker restart cannot be ruled out' };
  }
  if (current.brokerStartedAt > saved.brokerStartedAt + SAME_START_MS) return { unknown: 'the broker restarted meanwhile and counts from zero again' };
  if (current.published < saved.published) return { unknown: "the broker's publish counter went back (its statistics were reset)" };
  // Never below zero: the counter lags the traffic by a few seconds, the capture did not.
  return { lost: Math.max(0, current.published - saved.published - f.capturedAfterSaved) };
}

const count = (n: number): string => n.toLocaleString('en-US');

/** What the gap says, in words. */
export function downtimeReason(vhost: string, lost: Lost): string {
  const head = 'agent was not running (downtime)';
  if ('unknown' in lost) return `${head}: messages published on vhost "${vhost}" meanwhile were not captured; how many is not known: ${lost.unknown}`;
  if (lost.lost === 0) return `${head}: no messages were published on vhost "${vhost}" meanwhile`;
  const messages = lost.lost === 1 ? '1 message' : `${count(lost.lost)} messages`;
  return `${head}: ${messages} published on vhost "${vhost}" meanwhile ${lost.lost === 1 ? 'was' : 'were'} not captured`;
}

export function downtimeGap(f: DowntimeFacts): CaptureGap {
  const lost = lostInDowntime(f);
  return { source: f.source, from: f.from, to: f.to, reason: downtimeReason(f.vhost, lost), lost: 'lost' in lost ? lost.lost : null };
}
