import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter, type EnvelopeFilter, type EnvelopeRecord } from '@osloscope/shared';
import type { CaptureCore } from '../capture/capture-core.js';
import { fixtureRaws, openTestCore } from '../../test/support/capture-fixtures.js';
import { likeSubstring, trigramQuery } from './filter-sql.js';

const T0 = 1_795_973_550_000;
let core: CaptureCore;
let records: EnvelopeRecord[];

beforeAll(() => {
  core = openTestCore({ maxMessages: 1000, now: () => T0 + 10_000 }); // past node-z's deadline: one timeout among the outcomes
  for (const raw of fixtureRaws(T0)) core.ingest(raw);
  core.flush();
  records = core.query({}, { limit: 1000 }).items;
});
afterAll(() => core.close());

const FILTERS: EnvelopeFilter[] = [
  { exchange: 'openstack' },
  { exchange: '' },
  { exchange: 'demo_fanout' },
  { topic: 'demo' },
  { topic: 'notifications' },
  { server: 'node-a' },
  { server: 'node-b' },
  { server: 'node-z' },
  { namespace: '' },
  { namespace: 'default' },
  { namespace: 'admin' },
  { method: 'echo' },
  { method: 'reboot_instance' },
  { version: '1.2' },
  { version: '2.0' },
  { kind: 'call' },
  { kind: 'reply' },
  { kind: 'notification' },
  { outcome: 'ok' },
  { outcome: 'error' },
  { outcome: 'timeout' },
  { outcome: 'pending' },
  { signature: 'unsigned' },
  { signature: 'failed' },
  { text: 'ValueError' },
  { text: '  unsupportedversion ' },
  { text: 'NODE-A' },
  { text: 'compute.instance' },
  { text: 'a70209202cb740a9b864a75acf5222e3' },
  { text: 'reply_241f' },
  { text: '"value": "a"' },
  { text: '"value":' },
  { text: '100%' },
  { text: 'under_score' },
  { text: '   ' },
  { topic: 'demo', kind: 'call', outcome: 'error' },
  { server: 'node-b', kind: 'reply' },
  { exchange: 'openstack', namespace: '', version: '1.1' },
  { server: 'node-a', text: 'echo' },
  // Short needles bypass the trigram index; combined drivers (text + exchange, exchange + server).
  { text: 'ec' },
  // Every trigram of 'echoecho' is in a record holding 'echo', but not the whole needle: the
  // position-free index offers such rows and the LIKE recheck must drop them.
  { text: 'echoecho' },
  { text: 'hoech' },
  { text: 'E' },
  { exchange: 'openstack', text: 'echo' },
  { exchange: '', server: 'node-a' },
  { exchange: 'nonexistent' },
];

describe('SQL filtering agrees with the shared matcher', () => {
  it.each(FILTERS.map((f) => [JSON.stringify(f), f] as const))('%s', (_name, filter) => {
    const expected = records.filter((r) => matchesFilter(r, filter)).map((r) => r.id);
    const page = core.query(filter, { limit: 1000 });
    expect(page.items.map((r) => r.id)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  it('is not trivially empty: the filters select different, non-empty sets', () => {
    const sizes = FILTERS.map((f) => core.query(f, { limit: 1000 }).total);
    expect(sizes.filter((n) => n > 0).length).toBeGreaterThan(25);
    expect(new Set(sizes).size).toBeGreaterThan(8);
  });

  it('pages newest first with before/after', () => {
    const ids = records.map((r) => r.id);
    const first = core.query({}, { limit: 10 });
    expect(first.items.map((r) => r.id)).toEqual(ids.slice(0, 10));
    expect(first.total).toBe(26);
    const next = core.query({}, { limit: 10, before: ids[9]! });
    expect(next.items.map((r) => r.id)).toEqual(ids.slice(10, 20));
    const newer = core.query({}, { limit: 1000, after: ids[3]! });
    expect(newer.items.map((r) => r.id)).toEqual(ids.slice(0, 3));
  });

  it('escapes LIKE wildcards in free text', () => {
    expect(likeSubstring('100%_x\\')).toBe('%100\\%\\_x\\\\%');
  });
});

describe('trigramQuery', () => {
  it('ANDs each distinct trigram of the lowercased needle, quoted', () => {
    expect(trigramQuery('Echo')).toBe('"ech" AND "cho"');
    expect(trigramQuery('aaaa')).toBe('"aaa"');
    expect(trigramQuery('a"bc')).toBe('"a""b" AND """bc"');
    expect(trigramQuery('ÉcO')).toBe('"éco"');
  });

  it('has no query for needles shorter than a trigram (counted in characters, not UTF-16 units)', () => {
    expect(trigramQuery('ab')).toBeNull();
    expect(trigramQuery('😀😀')).toBeNull();
    expect(trigramQuery('😀😀😀')).toBe('"😀😀😀"');
  });
});
