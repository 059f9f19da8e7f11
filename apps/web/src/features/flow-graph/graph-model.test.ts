import { describe, expect, it } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import { makeRecord, makeTarget } from '../../test/make-record';
import { buildGraphModel, clientGroupOf, programOf } from './graph-model';

const ok = { status: 'ok' as const, latencyMs: 5, replyId: null, failure: null, heartbeats: 0 };
const err = { ...ok, status: 'error' as const };
const timeout = { ...ok, status: 'timeout' as const, latencyMs: null };

describe('buildGraphModel', () => {
  it('links client program → target tuple → server and counts per edge', () => {
    const recs: EnvelopeRecord[] = [
      makeRecord(1, { server: 'node-a', outcome: ok }),
      makeRecord(2, { server: 'node-b', outcome: err }),
      makeRecord(3, { server: 'node-a', outcome: timeout }),
      makeRecord(4, { server: 'node-a', outcome: ok }),
    ];
    const m = buildGraphModel(recs);
    expect(m.nodes.map((n) => n.id).sort()).toEqual(['client:python3', 'server:node-a', 'server:node-b', 'target:openstack|demo||1.2']);
    const toTarget = m.edges.find((e) => e.source === 'client:python3');
    expect(toTarget).toMatchObject({ calls: 4, errors: 1, timeouts: 1, errorShare: 0.5, tone: 'error' });
    const toA = m.edges.find((e) => e.target === 'server:node-a');
    expect(toA).toMatchObject({ calls: 3, errors: 0, timeouts: 1, tone: 'timeout' });
    expect(toA?.errorShare).toBeCloseTo(1 / 3);
    expect(toA?.filter).toEqual({ exchange: 'openstack', topic: 'demo', namespace: '', version: '1.2', server: 'node-a' });
  });

  it('draws casts and fanouts as their own edges and fans out to every server reached', () => {
    const recs = [
      makeRecord(1, { kind: 'call', server: 'node-a' }),
      makeRecord(2, { kind: 'cast', outcome: null, server: 'node-a' }),
      makeRecord(3, {
        kind: 'cast',
        outcome: null,
        server: null,
        target: makeTarget({ fanout: true }),
        reached: ['node-a', 'node-b'],
      }),
    ];
    const m = buildGraphModel(recs);
    const flows = m.edges
      .filter((e) => e.source === 'client:python3')
      .map((e) => e.flow)
      .sort();
    expect(flows).toEqual(['call', 'cast', 'fanout']);
    expect(
      m.edges
        .filter((e) => e.flow === 'fanout' && e.source.startsWith('target:'))
        .map((e) => e.target)
        .sort(),
    ).toEqual(['server:node-a', 'server:node-b']);
  });

  it('collapses more than 8 servers behind a target into a pool node, expandable', () => {
    const recs = Array.from({ length: 12 }, (_, i) => makeRecord(i + 1, { server: `compute-${i}` }));
    const collapsed = buildGraphModel(recs);
    const pool = collapsed.nodes.find((n) => n.kind === 'pool');
    expect(pool?.label).toBe('12 servers');
    expect(collapsed.nodes.filter((n) => n.kind === 'server')).toHaveLength(0);
    expect(collapsed.edges.filter((e) => e.target === pool?.id)).toHaveLength(1);

    const open = buildGraphModel(recs, { expandedPools: [pool?.poolKey ?? ''] });
    expect(open.nodes.filter((n) => n.kind === 'server')).toHaveLength(12);
    expect(open.nodes.some((n) => n.kind === 'pool')).toBe(false);

    const eight = buildGraphModel(recs.slice(0, 8));
    expect(eight.nodes.filter((n) => n.kind === 'server')).toHaveLength(8);
  });

  it('groups clients by program and counts their processes', () => {
    const recs = [
      makeRecord(1, { client: { process: 'nova-compute:11:aa', connection: null, replyQueue: null } }),
      makeRecord(2, { client: { process: 'nova-compute:12:bb', connection: null, replyQueue: null } }),
      makeRecord(3, { client: { process: 'nova-api:13:cc', connection: null, replyQueue: null } }),
    ];
    const clients = buildGraphModel(recs).nodes.filter((n) => n.kind === 'client');
    expect(clients.map((c) => [c.label, c.sublabel]).sort()).toEqual([
      ['nova-api', '1 process'],
      ['nova-compute', '2 processes'],
    ]);
  });

  it('sizes edges by rate relative to the busiest and counts failed signatures', () => {
    const recs = [
      ...Array.from({ length: 9 }, (_, i) => makeRecord(i + 1, { capturedAt: 1000 * i, server: 'node-a' })),
      makeRecord(10, {
        capturedAt: 9000,
        server: 'node-a',
        kind: 'cast',
        outcome: null,
        signature: { status: 'failed', reason: 'InvalidSignature' },
      }),
    ];
    const m = buildGraphModel(recs);
    const call = m.edges.find((e) => e.source === 'client:python3' && e.flow === 'call');
    const cast = m.edges.find((e) => e.source === 'client:python3' && e.flow === 'cast');
    expect(m.spanSeconds).toBe(9);
    expect(call?.rate).toBe(1);
    expect(call?.width).toBe(6);
    expect(cast?.width).toBeCloseTo(1 + 5 * Math.sqrt(1 / 9));
    expect(cast?.signatureFailures).toBe(1);
  });
});

describe('client identity', () => {
  it('takes the program from connection_name and falls back to host', () => {
    expect(programOf('nova-conductor:4242:0b5e')).toBe('nova-conductor');
    expect(clientGroupOf({ process: null, connection: '10.0.0.5:5511 -> 10.0.0.1:5672', replyQueue: 'r' })).toBe('host 10.0.0.5');
    expect(clientGroupOf(null)).toBe('unknown client');
  });
});
