import { describe, expect, it } from 'vitest';
import type { EnvelopeFilter } from '@osloscope/shared';
import { applyChange, rebuildFrom } from '../../stores/live-changes';
import { matchingRecords } from '../../test/matching-records';
import { play, randomFrames } from '../../test/random-traffic';
import { FlowGraphIndex } from './graph-index';
import { buildGraphModel, type GraphModel, type GraphOptions } from './graph-model';

/** Order-free form: the index orders by first appearance since it was built. */
const byId = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.id.localeCompare(b.id));
const normal = (m: GraphModel) => ({ nodes: byId(m.nodes), edges: byId(m.edges), spanSeconds: m.spanSeconds });

describe('FlowGraphIndex (incremental graph model)', () => {
  const cases: [EnvelopeFilter, GraphOptions][] = [
    [{}, {}],
    [{}, { expandedPools: ['nova|compute|admin|2.1', 'neutron|compute||1.0'] }],
    [{ exchange: 'nova' }, { poolThreshold: 2 }],
    [{ kind: 'cast' }, {}],
  ];
  it.each(cases)('equals buildGraphModel over the matching buffer after every frame of random traffic (filter %o, %o)', (filter, opts) => {
    const index = new FlowGraphIndex(filter);
    let pools = 0;
    play(randomFrames(5, 400), 70, ({ records }, step) => {
      if (step === 0) rebuildFrom(index, records);
      else applyChange(index, records.changeSince(records.version - 1)!);
      if (step % 2 === 0) return;
      const got = index.model(opts);
      expect(normal(got), `step ${step}`).toEqual(normal(buildGraphModel(matchingRecords(records, filter), opts)));
      if (got.nodes.some((n) => n.kind === 'pool')) pools++;
    });
    if (opts.expandedPools === undefined) expect(pools).toBeGreaterThan(10); // pools did form
  });

  it('is empty again once every record is taken back', () => {
    const index = new FlowGraphIndex({});
    const { records } = play(randomFrames(9, 50), 1000, () => {});
    rebuildFrom(index, records);
    expect(index.model().nodes.length).toBeGreaterThan(0);
    for (const rec of records.records()) index.remove(rec);
    expect(index.model()).toEqual({ nodes: [], edges: [], spanSeconds: 1 });
  });
});
