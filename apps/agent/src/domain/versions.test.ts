import { describe, expect, it } from 'vitest';
import { buildVersionReports, type VersionFacet } from './versions.js';

const base: VersionFacet = {
  exchange: 'nova',
  topic: 'compute',
  namespace: null,
  version: '6.0',
  method: 'build_and_run_instance',
  kind: 'call',
  outcome: 'ok',
  failureClass: null,
  server: 'cmp-1',
  client: 'nova-conductor:1:x',
  count: 5,
};

describe('version reports', () => {
  it('warns in plain language when some server rejects what clients send', () => {
    const [report] = buildVersionReports([
      base,
      { ...base, version: '6.2', outcome: 'error', failureClass: 'UnsupportedVersion', server: 'cmp-2', count: 3 },
      { ...base, version: '6.2', server: 'cmp-1', count: 2 },
    ]);
    expect(report?.mixedVersions).toBe(true);
    expect(report?.warning).toBe(
      'Clients send 6.2 but cmp-2 rejects it (UnsupportedVersion): a rolling upgrade in progress or a missing version pin ([upgrade_levels]).',
    );
    expect(report?.servers).toEqual([
      { server: 'cmp-1', highestAccepted: '6.2', lowestRejected: null },
      { server: 'cmp-2', highestAccepted: null, lowestRejected: '6.2' },
    ]);
    expect(report?.versions.map((v) => [v.version, v.sent, v.ok, v.unsupportedVersion])).toEqual([
      ['6.0', 5, 5, 0],
      ['6.2', 5, 2, 3],
    ]);
  });

  it('has no warning when every version is accepted; a missing version counts as 1.0', () => {
    const [report] = buildVersionReports([
      { ...base, version: null, count: 1 },
      { ...base, kind: 'cast', outcome: null, version: '1.1' },
    ]);
    expect(report).toMatchObject({ mixedVersions: false, warning: null });
    expect(report?.versions.map((v) => [v.version, v.sent, v.ok])).toEqual([
      ['1.0', 1, 1],
      ['1.1', 5, 0],
    ]);
  });

  it('counts casts apart, so a row adds up: sent = outcomes of calls + casts (no reply)', () => {
    const [report] = buildVersionReports([
      { ...base, count: 2 },
      { ...base, kind: 'cast', outcome: null, count: 3 },
    ]);
    const row = report?.versions[0];
    expect(row).toMatchObject({ sent: 5, ok: 2, casts: 3 });
    const outcomes = row ? row.ok + row.unsupportedVersion + row.noSuchMethod + row.otherErrors + row.timeouts + row.pending + row.casts : 0;
    expect(outcomes).toBe(row?.sent);
  });
});
