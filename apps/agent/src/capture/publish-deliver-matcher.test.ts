import { describe, expect, it } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import { agentDecodeOptions } from '../domain/decode-raw.js';
import { createConnectionDirectory } from '../domain/in-memory-connection-directory.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createVerifier } from '../signing/index.js';
import type { CaptureRecords } from './capture-records.js';
import { LateAttribution } from './late-attribution.js';
import { createMessageDecoder } from './message-decoder.js';
import { PublishDeliverMatcher } from './publish-deliver-matcher.js';
import { fixtureRaws, seededDirectory } from '../../test/support/capture-fixtures.js';

/** The matcher on its own: records in a Map, every admitted and changed record logged. */
function matcherOver(directory = seededDirectory()) {
  const byId = new Map<number, EnvelopeRecord>();
  const log: Array<{ what: 'admit' | 'change'; id: number; withRaw?: boolean }> = [];
  const records: CaptureRecords = {
    get: (id) => byId.get(id) ?? null,
    findByUniqueId: () => null,
    findCallByMsgId: () => null,
    write: (r) => void byId.set(r.id, r),
    changed: (r, raw) => {
      byId.set(r.id, r);
      log.push({ what: 'change', id: r.id, withRaw: raw !== undefined });
    },
  };
  let next = 1;
  const attribution = new LateAttribution({ directory, records, repliesAwaitingServer: () => [] });
  const matcher = new PublishDeliverMatcher({
    decoder: createMessageDecoder(agentDecodeOptions(), createVerifier(null)),
    records,
    directory,
    attribution,
    nextId: () => next++,
    admit: (r) => {
      byId.set(r.id, r);
      log.push({ what: 'admit', id: r.id });
    },
    undecodable: () => undefined,
  });
  return { matcher, byId, log };
}

describe('publish–deliver matching', () => {
  it('makes one record per published message of the real fixture, its deliveries folded in', () => {
    const { matcher, byId, log } = matcherOver();
    const raws = fixtureRaws(1_000);
    for (const raw of raws) matcher.ingest(raw);
    const publishes = raws.filter((r) => r.routingKey.startsWith('publish.')).length;
    const delivers = raws.length - publishes;
    expect(log.filter((e) => e.what === 'admit')).toHaveLength(publishes);
    expect([...byId.values()].reduce((n, r) => n + r.deliveries.length, 0)).toBe(delivers);
    // The round-robin call of the fixture's first line was delivered to node-a's topic queue and attributed.
    expect(byId.get(1)).toMatchObject({ kind: 'call', method: 'echo', server: expect.any(String) });
  });

  it('keeps a deliver whose publish was not seen, and upgrades that record in place when the publish comes', () => {
    const { matcher, byId, log } = matcherOver(createConnectionDirectory());
    const raws = fixtureRaws(1_000);
    const publish = raws[0]!;
    const deliver = raws.find(
      (r, i) => i > 0 && r.routingKey.startsWith('deliver.') && Buffer.compare(Buffer.from(r.body), Buffer.from(publish.body)) === 0,
    ) as RawCapture;
    matcher.ingest(deliver);
    expect(log).toEqual([{ what: 'admit', id: 1 }]);
    expect(byId.get(1)?.deliveries).toHaveLength(1);
    matcher.ingest(publish);
    // Same record, now with the publish's raw event; nothing counted twice.
    expect(log).toEqual([
      { what: 'admit', id: 1 },
      { what: 'change', id: 1, withRaw: true },
    ]);
    expect(byId.get(1)).toMatchObject({ kind: 'call', deliveries: [expect.objectContaining({ queue: deliver.routingKey.slice('deliver.'.length) })] });
    expect(byId.get(1)?.client?.connection).not.toBeNull();
  });

  it('marks only the replays it was told about', () => {
    const { matcher, byId } = matcherOver();
    const raws = fixtureRaws(1_000);
    const first = raws[0]!;
    matcher.linkReplay(JSON.parse(JSON.parse(Buffer.from(first.body).toString())['oslo.message'])._unique_id, 99);
    matcher.ingest(first);
    expect(byId.get(1)?.replayOf).toBe(99);
  });
});
