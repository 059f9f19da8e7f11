import { describe, expect, it } from 'vitest';
import { REDACTED, type EnvelopeRecord } from '@osloscope/shared';
import { presentRecord } from './present.js';
import { exportLineOf } from '../../bench/capture-file.js';
import { workload } from '../../bench/workload.js';
import { openTestCore } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;

/** The bench workload's first 60 messages (contexts carry an auth token), imported with or without --show-secrets. */
async function capture(
  showSecrets: boolean,
): Promise<{ views: EnvelopeRecord[]; listings: EnvelopeRecord[][]; details: EnvelopeRecord[]; stored: EnvelopeRecord[] }> {
  const core = openTestCore({ maxMessages: 1000, showSecrets, now: () => T0 + 1000 });
  const views: EnvelopeRecord[] = [];
  core.subscribe({ onRecord: (r) => views.push(r) });
  const gen = workload();
  await core.importNdjson(Array.from({ length: 60 }, (_, i) => exportLineOf(gen.next().value!, T0 + i)));
  // Each listing presents every record again.
  const listings = [core.query({}, { limit: 1000 }).items, core.query({}, { limit: 1000 }).items];
  const details = listings[0]!.map((r) => core.get(r.id)!);
  core.close();
  return { views, listings, details, stored: listings[0]! };
}

describe('presentRecord', () => {
  it('masks the token wherever a record is shown, however often it is presented again; live views carry no context', async () => {
    const { views, listings, details } = await capture(false);
    const secretsShown = (await capture(true)).stored;
    const tokenOf = (r: EnvelopeRecord | undefined) => r?.context?.['auth_token'];
    const tokens = secretsShown.map(tokenOf).filter((t): t is string => typeof t === 'string' && t !== '');
    const withToken = secretsShown.filter((r) => typeof tokenOf(r) === 'string' && tokenOf(r) !== '').map((r) => r.id);
    expect(withToken.length).toBeGreaterThan(0);
    for (const id of withToken) {
      for (const listing of listings) expect(tokenOf(listing.find((r) => r.id === id)), `record ${id} listed`).toBe(REDACTED);
      expect(tokenOf(details.find((r) => r.id === id)), `record ${id} detail`).toBe(REDACTED);
      // The live views (new record, then its updates) leave the context out altogether.
      const live = views.filter((v) => v.id === id);
      expect(live.length).toBeGreaterThan(1);
      for (const v of live) expect(v.context).toBeNull();
    }
    const everything = JSON.stringify([views, listings, details]);
    for (const token of tokens) expect(everything).not.toContain(token);
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
