import { CAPTURE_BACKLOG_WARN, type SourceHealth } from '@osloscope/shared';
import { describe, expect, it } from 'vitest';
import { healthStatus } from './health-report.js';

function source(over: Partial<SourceHealth>): SourceHealth {
  return {
    name: '127.0.0.1',
    url: 'rabbit://guest:***@127.0.0.1:5672/',
    mode: 'firehose',
    state: 'connected',
    vhost: '/',
    host: '127.0.0.1',
    tracing: [],
    tracingEnabledByAgent: false,
    warnings: [],
    blindSpots: [],
    lastError: null,
    connectedSince: 1,
    reconnects: 0,
    backlog: 0,
    ...over,
  };
}

describe('healthStatus', () => {
  it('is ok again once a source has reconnected, even though it remembers the last error', () => {
    expect(healthStatus([source({ reconnects: 1, lastError: 'connection closed: 320 CONNECTION_FORCED' })])).toBe('ok');
  });
  it('is degraded while a source reconnects or warns, and down when nothing captures', () => {
    expect(healthStatus([source({}), source({ state: 'reconnecting' })])).toBe('degraded');
    expect(healthStatus([source({ warnings: ['tracing is off on rabbit@n2'] })])).toBe('degraded');
    expect(healthStatus([source({ state: 'reconnecting' })])).toBe('down');
  });
});

describe('healthStatus and the capture backlog', () => {
  it('is degraded while a capture queue holds CAPTURE_BACKLOG_WARN events or more, ok below or when unknown', () => {
    expect(healthStatus([source({ backlog: CAPTURE_BACKLOG_WARN })])).toBe('degraded');
    expect(healthStatus([source({ backlog: CAPTURE_BACKLOG_WARN - 1 })])).toBe('ok');
    expect(healthStatus([source({ backlog: null })])).toBe('ok');
    expect(healthStatus([source({ backlog: 250_000, state: 'reconnecting' })])).toBe('down');
  });
});

describe('healthStatus and the store', () => {
  const store = { writer: 'thread' as const, stalled: false, unwritten: 0, unwrittenBytes: 0, damage: [], readOnly: null, writeError: null };

  it('is degraded while the store writer is stalled, ok once it moves, and down still wins', () => {
    const stalled = { ...store, stalled: true, unwritten: 5000, unwrittenBytes: 9_000_000 };
    expect(healthStatus([source({})], stalled)).toBe('degraded');
    expect(healthStatus([source({})], { ...stalled, stalled: false })).toBe('ok');
    expect(healthStatus([source({ state: 'reconnecting' })], stalled)).toBe('down');
  });

  it('is degraded when the store found damage, and down still wins', () => {
    const damaged = { ...store, damage: [{ problem: "raw/00000003.seg is missing: 3 records' raw events are lost", records: 3, path: '/d/raw/00000003.seg' }] };
    expect(healthStatus([source({})], damaged)).toBe('degraded');
    expect(healthStatus([source({ state: 'reconnecting' })], damaged)).toBe('down');
  });

  it('is degraded, not down, for a read-only capture: browsed, with no source by necessity', () => {
    expect(healthStatus([], { ...store, readOnly: 'read-only capture: /d is not writable (read-only file system)' })).toBe('degraded');
  });
});

describe('healthStatus and a store that cannot write', () => {
  it('is degraded while the store cannot write (disk full), ok once it writes again, and down still wins', () => {
    const writeError = { message: 'no space left on device', path: '/var/lib/osloscope/capture.sqlite', since: 1 };
    const failing = { writer: 'thread' as const, stalled: false, unwritten: 3000, unwrittenBytes: 7_000_000, writeError, damage: [], readOnly: null };
    expect(healthStatus([source({})], failing)).toBe('degraded');
    expect(healthStatus([source({})], { ...failing, writeError: null })).toBe('ok');
    expect(healthStatus([source({ state: 'reconnecting' })], failing)).toBe('down');
  });
});
