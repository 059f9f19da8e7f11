/**
 * Seeded random live traffic for the incremental-model tests: new records (sometimes out of
 * order, as history arriving after live records), updates that settle or fail calls, and a
 * small buffer cap so evictions happen often. Each step is one frame's events.
 */
import { seededRandom, type EnvelopeRecord, type OutcomeStatus } from '@osloscope/shared';
import { applyLiveEvents, initialLiveState, type LiveEvent, type LiveState } from '../stores/live-store';
import { RecordBuffer } from '../stores/record-buffer';
import { makeRecord, makeTarget } from './make-record';

const T0 = 1_800_000_000_000;

/** One random record: a call, cast, fanout or notification to one of a few targets and servers. */
export function randomRecord(id: number, rnd: () => number, at: number): EnvelopeRecord {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const kind = pick(['call', 'call', 'call', 'cast', 'fanout', 'notification'] as const);
  const topic = pick(['compute', 'conductor', 'scheduler']);
  const servers = Array.from({ length: topic === 'compute' ? 12 : 3 }, (_, i) => `${topic}-${i}`);
  const server = pick(servers);
  const target = makeTarget({
    exchange: pick(['nova', 'neutron']),
    topic,
    namespace: pick([null, 'admin']),
    version: pick(['1.0', '2.1', null]),
    fanout: kind === 'fanout',
  });
  const process = pick(['nova-api:1:a', 'nova-api:2:b', 'nova-compute:3:c', null]);
  return makeRecord(id, {
    capturedAt: at,
    kind: kind === 'fanout' ? 'cast' : kind,
    target,
    server: kind === 'fanout' ? null : server,
    reached: kind === 'fanout' ? servers.filter(() => rnd() < 0.5) : null,
    client: process
      ? { process, connection: null, replyQueue: 'rq' }
      : { process: null, connection: `10.0.0.${Math.floor(rnd() * 3)}:5000 -> 10.0.0.1:5672`, replyQueue: 'rq' },
    outcome: kind === 'call' ? { status: 'pending', latencyMs: null, replyId: null, failure: null, heartbeats: 0 } : null,
    signature: rnd() < 0.05 ? { status: 'failed', reason: 'InvalidSignature' } : { status: 'unsigned', reason: null },
    method: pick(['echo', 'boot', 'reboot']),
  });
}

/** A settled (or re-verified) version of `rec`. */
function randomUpdate(rec: EnvelopeRecord, rnd: () => number): EnvelopeRecord {
  if (rec.kind !== 'call' || rnd() < 0.2) return { ...rec, signature: { status: rnd() < 0.5 ? 'failed' : 'valid', reason: null } };
  const status: OutcomeStatus = rnd() < 0.7 ? 'ok' : rnd() < 0.5 ? 'error' : 'timeout';
  return { ...rec, outcome: { status, latencyMs: status === 'timeout' ? null : Math.floor(rnd() * 50), replyId: null, failure: null, heartbeats: 0 } };
}

/**
 * `steps` frames of traffic: each frame adds a few records (capture time ~`msPerRecord`
 * apart, ids ascending, now and then an older id as late history) and updates some buffered ones.
 */
export function randomFrames(seed: number, steps: number, msPerRecord = 150): ((records: RecordBuffer) => LiveEvent[])[] {
  const rnd = seededRandom(seed);
  let nextId = 1000;
  let clock = T0;
  return Array.from({ length: steps }, () => (records: RecordBuffer) => {
    const items: EnvelopeRecord[] = [];
    const n = Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) {
      clock += Math.floor(rnd() * 2 * msPerRecord);
      const late = rnd() < 0.05;
      items.push(randomRecord(late ? Math.floor(rnd() * nextId) : nextId++, rnd, late ? clock - 5000 : clock));
    }
    const updates: EnvelopeRecord[] = [];
    const ids = records.ids();
    for (let i = 0; i < 3 && ids.length > 0; i++) {
      const id = ids[Math.floor(rnd() * ids.length)] as number;
      const rec = records.get(id);
      if (rec) updates.push(randomUpdate(rec, rnd));
    }
    return [{ type: 'batch', batch: { items, updates, skipped: 0, history: false } }];
  });
}

/** A buffer and the store state that announces it, as the live store keeps them. */
export interface PlayedLive {
  records: RecordBuffer;
  /** Replaced after each frame; a check may replace it too (e.g. to pause). */
  state: LiveState;
}

/** Plays `frames` into `records` (a fresh buffer) with `cap`, calling `check` after each frame. */
export function play(
  frames: ((records: RecordBuffer) => LiveEvent[])[],
  cap: number,
  check: (live: PlayedLive, step: number) => void,
  records = new RecordBuffer(),
): PlayedLive {
  const live: PlayedLive = { records, state: initialLiveState(records) };
  frames.forEach((frame, step) => {
    live.state = { ...live.state, ...applyLiveEvents(records, live.state, frame(records), cap) };
    check(live, step);
  });
  return live;
}
