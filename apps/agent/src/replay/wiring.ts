/**
 * Composition helpers for main.ts: which brokers replay publishes to, and how much of its
 * own traffic it has to hand to the capture itself.
 */
import { parseTransportUrl } from '@osloscope/shared';
import { uniqueSourceNames } from '../cli/source-names.js';
import type { ReplayBrokerSpec } from './replay-service.js';

/**
 * One spec per transport URL, named like the capture sources (so a record's `source`
 * finds its broker). `capturing` = the agent captures from these brokers in `mode`;
 * otherwise (an imported capture) nothing sees the replay's traffic but replay itself.
 */
export function replayBrokerSpecs(transportUrls: readonly string[], capturing: boolean, mode: 'firehose' | 'tap'): ReplayBrokerSpec[] {
  const names = uniqueSourceNames(transportUrls.map((u) => parseTransportUrl(u)));
  return transportUrls.map((transportUrl, i) => ({
    source: names[i] ?? `source-${i + 1}`,
    transportUrl,
    ingest: capturing ? mode : 'none',
  }));
}
