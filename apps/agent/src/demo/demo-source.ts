/**
 * The built-in demo as a CaptureSource: plays the simulation in real time and hands each
 * fabricated trace event to `capture.ingest` (origin `demo`), so the demo goes through the
 * same decode → verify → correlate → store pipeline as real firehose traffic. It also tells
 * the ConnectionDirectory who is behind each simulated connection, as the management
 * API would for a real broker.
 */
import type { SourceHealth } from '@osloscope/shared';
import type { Logger } from '../log.js';
import type { CaptureService } from '../ports/capture-service.js';
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { CaptureSource } from '../ports/source.js';
import type { KeyRing } from '../signing/index.js';
import { createDemoKeyRing } from './demo-keys.js';
import { DEMO_SOURCE, type TimedEvent } from './sim-broker.js';
import { DemoSimulation, type DemoSimulationOptions } from './simulation.js';
import { computeHostNames, DEMO_NODE, DEMO_VHOST, directoryFacts } from './topology.js';

export interface DemoSourceOptions extends DemoSimulationOptions {
  capture: CaptureService;
  directory: ConnectionDirectory;
  logger: Logger;
  /** Average publishes per second. @default 30 */
  ratePerSecond?: number;
  /** Shown in health: why the demo runs (e.g. no broker reachable). */
  reason?: string;
  now?: () => number;
}

/** The key ring the capture core's verifier needs to check the demo's signatures. */
export function demoKeyRing(options: DemoSimulationOptions = {}): KeyRing {
  return createDemoKeyRing(computeHostNames(options));
}

const TICK_MS = 50;

/** Create the demo source (not started). */
export function createDemoSource(opts: DemoSourceOptions): CaptureSource {
  const sim = new DemoSimulation(opts);
  const now = opts.now ?? Date.now;
  const rate = opts.ratePerSecond ?? 30;
  let queue: TimedEvent[] = [];
  let nextScenarioAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let startedAt: number | null = null;

  function pump(): void {
    const t = now();
    // Plan scenarios up to now; their later steps (replies, heartbeats) wait in the queue.
    while (nextScenarioAt <= t) {
      const { events } = sim.nextScenario(nextScenarioAt);
      queue.push(...events);
      nextScenarioAt += sim.gapAfter(events, rate);
    }
    queue.sort((a, b) => a.at - b.at);
    let due = 0;
    while (due < queue.length && (queue[due]?.at ?? Infinity) <= t) due++;
    const ready = queue.slice(0, due);
    queue = queue.slice(due);
    for (const event of ready) {
      try {
        opts.capture.ingest(event.raw);
      } catch (err) {
        opts.logger.error('demo event could not be ingested', { error: err });
      }
    }
  }

  return {
    name: DEMO_SOURCE,
    async start() {
      if (timer) return;
      opts.directory.updateFromManagement(DEMO_SOURCE, directoryFacts(sim.topology));
      startedAt = now();
      nextScenarioAt = startedAt;
      timer = setInterval(pump, TICK_MS);
      opts.logger.warn('DEMO MODE: showing simulated OpenStack traffic, not a real broker', {
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      });
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      queue = [];
    },
    health(): SourceHealth {
      return {
        name: DEMO_SOURCE,
        url: 'demo://',
        mode: 'demo',
        state: timer ? 'demo' : 'stopped',
        vhost: DEMO_VHOST,
        host: null,
        tracing: [{ node: DEMO_NODE, tracing: true }],
        tracingEnabledByAgent: false,
        warnings: opts.reason !== undefined ? [opts.reason] : [],
        blindSpots: ['Simulated traffic: nothing here comes from a real broker.'],
        lastError: null,
        connectedSince: startedAt,
        reconnects: 0,
        backlog: null,
      };
    },
  };
}
