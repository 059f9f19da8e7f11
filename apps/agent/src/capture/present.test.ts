import { describe, expect, it } from 'vitest';
import { REDACTED, type EnvelopeRecord } from '@osloscope/shared';
import { presentRecord } from './present.js';
import { exportLineOf } from '../bench/capture-file.js';
import { workload } from '../bench/workload.js';
import { openTestCore } from './test-fixtures.js';

const T0 = 1_795_973_550_000;

/** The bench workload's first 60 messages (contexts carry an auth token), imported with or without --show-secrets. */
async function capture(showSecrets: boolean): Promise<{ views: EnvelopeRecord[]; stored: EnvelopeRecord[] }> {
  const core = openTestCore({ maxMessages: 1000, showSecrets, now: () => T0 + 1000 });
  const views: EnvelopeRecord[] = [];
  core.subscribe({ onRecord: (r) => views.push(r) });
  const gen = workload();
  await core.importNdjson(Array.from({ length: 60 }, (_, i) => exportLineOf(gen.next().value!, T0 + i)));
  const stored = core.query({}, { limit: 1000 }).items;
  core.close();
  return { views, stored };
}

describe('presentRecord', () => {
  it('masks the token of every view of a record, however often it is presented again', async () => {
    const { views } = await capture(false);
    const secretsShown = (await capture(true)).views;
    const tokenOf = (r: EnvelopeRecord) => r.context?.['auth_token'];
    // Records with a real token on the wire, presented more than once (publish, deliveries, reply).
    const withToken = new Set(secretsShown.filter((r) => typeof tokenOf(r) === 'string' && tokenOf(r) !== '').map((r) => r.id));
    const repeated = [...withToken].filter((id) => views.filter((v) => v.id === id).length >= 2);
    expect(repeated.length).toBeGreaterThan(0);
    // The record's first view carries its context, masked; later ones (updates) leave it out.
    for (const id of withToken) {
      const [first, ...later] = views.filter((v) => v.id === id);
      expect(tokenOf(first!)).toBe(REDACTED);
      for (const v of later) expect(v.context).toBeNull();
    }
  });

  it('masks a record again when its decoded values are new objects (read back from the store)', async () => {
    const { stored } = await capture(true);
    const record = stored.find((r) => typeof r.context?.['auth_token'] === 'string');
    expect(record).toBeDefined();
    const first = presentRecord(record!, false);
    const copy = JSON.parse(JSON.stringify(record)) as EnvelopeRecord;
    copy.context = { ...copy.context, auth_token: 'another-token-value' };
    const second = presentRecord(copy, false);
    expect(first.context?.['auth_token']).toBe(REDACTED);
    expect(second.context?.['auth_token']).toBe(REDACTED);
    expect(presentRecord(copy, true).context?.['auth_token']).toBe('another-token-value');
  });
});
