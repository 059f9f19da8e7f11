import { afterEach, describe, expect, it } from 'vitest';
import type { EnvelopeRecord } from '@osloscope/shared';
import type { CaptureCore } from './capture-core.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { fixtureRaws, openTestCore } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;
/** More than the records the core keeps in memory (record-writeback.ts HOT_RECORDS). */
const FILLERS = 5_200;
/** More publishes than the core remembers for matching deliveries (capture-core.ts MATCH_MEMORY). */
const BEYOND_MATCH_MEMORY = 20_100;

let core: CaptureCore;
afterEach(() => core.close());

/** `raw` with its body's text rewritten (ids are swapped for others of the same length). */
function withBody(raw: RawCapture, rewrite: (body: string) => string): RawCapture {
  return { ...raw, body: new Uint8Array(Buffer.from(rewrite(Buffer.from(raw.body).toString('utf8')))) };
}

const hex32 = (n: number) => n.toString(16).padStart(32, '0');

/** Fixture line 1 (a call of echo, args {value: 'a'}) is published, then thousands of other calls, all written. */
function captureCallThenTraffic(fillers = FILLERS): { publish: RawCapture; deliver: RawCapture } {
  const raws = fixtureRaws(T0);
  const publish = raws[0];
  const deliver = raws[1];
  if (!publish || !deliver || !deliver.routingKey.startsWith('deliver.')) throw new Error('fixture lines 1-2 changed');
  core = openTestCore({ now: () => T0 + 1000 });
  core.ingest(publish);
  for (let i = 0; i < fillers; i++) {
    core.ingest(
      withBody(publish, (b) =>
        b.replace(/(_unique_id\\": \\")[0-9a-f]{32}/, `$1${hex32(i + 1)}`).replace(/(_msg_id\\": \\")[0-9a-f]{32}/, `$1${hex32(i + 1)}`),
      ),
    );
  }
  core.flush();
  return { publish, deliver };
}

function streamedUpdates(): EnvelopeRecord[] {
  const seen: EnvelopeRecord[] = [];
  core.subscribe({ onRecord: (r, isNew) => !isNew && seen.push(r) });
  return seen;
}

describe('a delivery long after its publish (the record is read back from the store)', () => {
  it('streams the delivery as an update without body fields, and stores the call with its args and the delivery', () => {
    const { deliver } = captureCallThenTraffic();
    expect(core.counts().captured).toBe(FILLERS + 1);
    const updates = streamedUpdates();
    core.ingest(deliver);
    expect(updates).toHaveLength(1);
    // Updates leave the body fields out (shared withoutBody): the stream sent them with the call.
    expect(updates[0]).toMatchObject({ kind: 'call', method: 'echo', args: null, context: null });
    expect(updates[0]?.deliveries).toHaveLength(1);
    core.flush();
    const stored = core.getRaw(updates[0]?.id ?? -1)?.record;
    expect(stored).toMatchObject({ args: { value: 'a' }, deliveries: [{ queue: 'demo', server: 'node-a' }] });
  });

  it("never takes a deliver event's body for the record's when the body differs", () => {
    const { deliver } = captureCallThenTraffic();
    const updates = streamedUpdates();
    // Same unique id, other args (and size): not the message that was published.
    core.ingest(withBody(deliver, (b) => b.replace('{\\"value\\": \\"a\\"}', '{\\"value\\": \\"forged\\"}')));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ method: 'echo', args: null });
    core.flush();
    expect(core.getRaw(updates[0]?.id ?? -1)?.record.args).toEqual({ value: 'a' });
  });

  describe('later than the core remembers publishes for matching (a queue backed up)', () => {
    it('attaches the delivery to its call, found by its unique id', () => {
      const { deliver } = captureCallThenTraffic(BEYOND_MATCH_MEMORY);
      const updates = streamedUpdates();
      core.ingest(deliver);
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({ id: 1, kind: 'call', method: 'echo', server: 'node-a' });
      core.flush();
      expect(core.getRaw(1)?.record).toMatchObject({ args: { value: 'a' }, deliveries: [{ queue: 'demo', server: 'node-a' }] });
      // Not a message of its own: the publish and its deliver are one record.
      expect(core.counts().captured).toBe(BEYOND_MATCH_MEMORY + 1);
    }, 60_000);

    it("still never takes a deliver event's body for the record's when the body differs", () => {
      const { deliver } = captureCallThenTraffic(BEYOND_MATCH_MEMORY);
      const updates = streamedUpdates();
      core.ingest(withBody(deliver, (b) => b.replace('{\\"value\\": \\"a\\"}', '{\\"value\\": \\"forged\\"}')));
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({ id: 1, method: 'echo', args: null });
      core.flush();
      expect(core.getRaw(1)?.record.args).toEqual({ value: 'a' });
    }, 60_000);
  });
});
