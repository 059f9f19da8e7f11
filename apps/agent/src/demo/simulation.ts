/**
 * The demo's traffic generator in simulated time: picks scenarios (every one once first,
 * then weighted at random) and returns their trace events. Pure and deterministic for a
 * seed: the demo source plays it in real time, tests run it instantly.
 */
import { FlowBuilder } from './flow-builder.js';
import { demoKeyNames } from './demo-keys.js';
import { createRng, type Rng } from './rng.js';
import { SCENARIOS, type WeightedScenario } from './scenarios.js';
import { SimBroker, type TimedEvent } from './sim-broker.js';
import { buildDemoTopology, computeHostNames, type DemoTopology, type DemoTopologyOptions } from './topology.js';

export interface DemoSimulationOptions extends DemoTopologyOptions {
  /** @default 1 */
  seed?: number;
}

export const DEFAULT_DEMO_SEED = 1;

export class DemoSimulation {
  readonly topology: DemoTopology;
  /** Names the agent's demo key ring holds (see demo-keys.ts). */
  readonly keyNames: string[];
  private readonly rng: Rng;
  private readonly flow: FlowBuilder;
  private showcaseIndex = 0;
  private readonly totalWeight: number;

  constructor(options: DemoSimulationOptions = {}) {
    this.rng = createRng(options.seed ?? DEFAULT_DEMO_SEED);
    this.topology = buildDemoTopology(this.rng, options);
    this.keyNames = demoKeyNames(computeHostNames(options));
    this.flow = new FlowBuilder(this.rng, new SimBroker(this.topology), new Set(this.keyNames));
    this.totalWeight = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);
  }

  /** The next scenario's events, starting at simulated time `at`, in time order. */
  nextScenario(at: number): { name: string; events: TimedEvent[] } {
    const scenario = this.pick();
    this.flow.events.length = 0;
    scenario.run({ flow: this.flow, rng: this.rng, topology: this.topology }, at);
    const events = [...this.flow.events].sort((a, b) => a.at - b.at);
    return { name: scenario.name, events };
  }

  /** Gap before the next scenario so that publishes average `ratePerSecond`. */
  gapAfter(events: readonly TimedEvent[], ratePerSecond: number): number {
    const publishes = events.filter((e) => e.raw.routingKey.startsWith('publish.')).length;
    const mean = (Math.max(1, publishes) / ratePerSecond) * 1000;
    return Math.round(mean * (0.5 + this.rng.next()));
  }

  private pick(): WeightedScenario {
    const showcase = SCENARIOS[this.showcaseIndex];
    if (showcase) {
      this.showcaseIndex++;
      return showcase;
    }
    let r = this.rng.next() * this.totalWeight;
    for (const s of SCENARIOS) {
      r -= s.weight;
      if (r < 0) return s;
    }
    return SCENARIOS[0]!;
  }
}
