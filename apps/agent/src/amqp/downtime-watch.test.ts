import type { CaptureGap } from '@osloscope/shared';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/support/loggers.js';
import type { BrokerCount, CaptureContinuity, SavedBrokerCount } from '../ports/capture-continuity.js';
import { createDowntimeWatch } from './downtime-watch.js';
import { ManagementError, type ManagementClient } from './management-client.js';

const NOW = 1_700_000_000_000;
const UPTIME = 3_600_000;

/** A management API that answers the vhost's publish counter and one node's uptime (or is down). */
function managementWith(published: number | null, opts: { down?: boolean } = {}): ManagementClient {
  const unused = () => Promise.reject(new Error('not used'));
  const down = () => {
    if (opts.down) throw new ManagementError('unreachable', 'GET http://mq:15672/api/vhosts/nova: management API unreachable (ECONNREFUSED)');
  };
  return {
    baseUrl: 'http://mq:15672',
    getVhost: async (name) => (down(), { name, tracing: true, clusterState: {}, description: '', tags: [], defaultQueueType: null, published }),
    getNodes: async () => (down(), [{ name: 'rabbit@a', running: true, uptimeMs: UPTIME }]),
    getOverview: unused,
    getConsumers: unused,
    getVhostConnections: unused,
    getExchanges: unused,
    setVhostTracing: unused,
  };
}

function continuityWith(previousRunAliveAt: number | null, saved: SavedBrokerCount | null, capturedAfter = 0) {
  const savedNow: BrokerCount[] = [];
  const continuity: CaptureContinuity = {
    previousRunAliveAt,
    brokerCount: () => saved,
    saveBrokerCount: (_source, count) => void savedNow.push(count),
    capturedAfter: () => capturedAfter,
  };
  return { continuity, savedNow };
}

function watch(management: ManagementClient, continuity: CaptureContinuity, countsEverything = true) {
  const gaps: CaptureGap[] = [];
  const w = createDowntimeWatch({
    source: 'mq/nova',
    vhost: 'nova',
    management: () => management,
    continuity,
    capture: { markGap: (gap) => void gaps.push(gap) },
    countsEverything,
    log: silentLogger,
    now: () => NOW,
  });
  return { w, gaps };
}

const saved: SavedBrokerCount = { published: 500, brokerStartedAt: NOW - UPTIME, lastId: 500, at: NOW - 60_000 };

describe('downtime watch', () => {
  it('records the downtime once, before capture starts, with the count the broker gives, and saves the new reading', async () => {
    const { continuity, savedNow } = continuityWith(NOW - 55_000, saved);
    const { w, gaps } = watch(managementWith(8500), continuity);
    await w.beforeCapture();
    await w.beforeCapture(); // a reconnect later in the run: no second gap
    expect(gaps).toEqual([
      { source: 'mq/nova', from: NOW - 55_000, to: NOW, lost: 8000, reason: expect.stringContaining('8,000 messages published on vhost "nova"') },
    ]);
    expect(savedNow).toEqual([{ published: 8500, brokerStartedAt: NOW - UPTIME }]);
  });

  it('records no gap on a new store, and starts counting', async () => {
    const { continuity, savedNow } = continuityWith(null, null);
    const { w, gaps } = watch(managementWith(3), continuity);
    await w.beforeCapture();
    expect(gaps).toEqual([]);
    expect(savedNow).toHaveLength(1);
  });

  it('still records the gap, count unknown and why, when the management API is down', async () => {
    const { continuity, savedNow } = continuityWith(NOW - 55_000, saved);
    const { w, gaps } = watch(managementWith(8500, { down: true }), continuity);
    await w.beforeCapture();
    expect(gaps[0]?.lost).toBeNull();
    expect(gaps[0]?.reason).toMatch(/how many is not known: the broker's publish counter could not be read \(.*ECONNREFUSED\)/);
    expect(savedNow).toEqual([]);
    // Saving later readings goes on without complaint.
    await w.sample();
    expect(savedNow).toEqual([]);
  });

  it('does not count in tap mode (it sees only part of the vhost), and reads nothing while capturing', async () => {
    const { continuity, savedNow } = continuityWith(NOW - 55_000, saved);
    const { w, gaps } = watch(managementWith(8500), continuity, false);
    await w.beforeCapture();
    await w.sample();
    expect(gaps[0]?.lost).toBeNull();
    expect(gaps[0]?.reason).toContain('tap mode');
    expect(savedNow).toEqual([]);
  });

  it('saves a reading while capturing, unless the broker has no statistics for the vhost yet', async () => {
    const { continuity, savedNow } = continuityWith(null, null);
    await watch(managementWith(42), continuity).w.sample();
    await watch(managementWith(null), continuity).w.sample();
    expect(savedNow).toEqual([{ published: 42, brokerStartedAt: NOW - UPTIME }]);
  });
});
