/**
 * Calls and their replies: links each reply to its call by `_msg_id` (in either order: a reply
 * can overtake its call across channels), applies it to the call's outcome, and keeps the
 * deadline of every pending call so the core can time it out. Bounded: the oldest entries of
 * each table are forgotten first (a call older than CALL_MEMORY calls is found by index).
 */
import type { EnvelopeRecord } from '@osloscope/shared';
import { applyReply, timeoutDeadline } from '../domain/outcome.js';
import { BoundedMap } from '../bounded-map.js';
import type { CaptureRecords } from './capture-records.js';

/** Calls found by `_msg_id` in memory; a reply to an older one is found by index (B5: 100k cost ~15 MB). */
const CALL_MEMORY = 20_000;
/** Replies seen before their call (possible across channels): bounded, oldest forgotten. */
const ORPHAN_REPLIES = 10_000;
/** Calls linked to their replies before their server was known: the replies to update then. */
const REPLIES_AWAITING_SERVER = 10_000;

export interface CorrelatorDeps {
  records: Pick<CaptureRecords, 'get' | 'findCallByMsgId'>;
  /** Timeout of calls without `expiration`: oslo's rpc_response_timeout. */
  defaultTimeoutMs: number;
}

export class CallCorrelator {
  private readonly callByMsgId = new BoundedMap<string, number>(CALL_MEMORY);
  private readonly orphanReplies = new BoundedMap<string, number[]>(ORPHAN_REPLIES);
  private readonly awaitingServer = new BoundedMap<number, number[]>(REPLIES_AWAITING_SERVER);
  /** Pending call id → timeout deadline (epoch ms). */
  private readonly deadlines = new Map<number, number>();

  constructor(private readonly deps: CorrelatorDeps) {}

  /** A call still pending in the store when the capture reopened. */
  restorePending(call: EnvelopeRecord): void {
    this.deadlines.set(call.id, timeoutDeadline(call.capturedAt, call.expirationMs, this.deps.defaultTimeoutMs));
    if (call.msgId) this.callByMsgId.set(call.msgId, call.id);
  }

  /** Link a new record with its call or replies; @returns the other records it changed. */
  correlate(record: EnvelopeRecord): EnvelopeRecord[] {
    if (record.msgId === null) return [];
    if (record.kind === 'call') {
      this.callByMsgId.set(record.msgId, record.id);
      this.deadlines.set(record.id, timeoutDeadline(record.capturedAt, record.expirationMs, this.deps.defaultTimeoutMs));
      const early = this.orphanReplies.get(record.msgId);
      if (!early) return [];
      this.orphanReplies.delete(record.msgId);
      const replies = early.map((id) => this.deps.records.get(id)).filter((r): r is EnvelopeRecord => r !== null);
      for (const reply of replies) this.linkReply(record, reply);
      return replies;
    }
    if (record.kind !== 'reply') return [];
    const callId = this.callByMsgId.get(record.msgId) ?? this.deps.records.findCallByMsgId(record.msgId);
    const call = callId !== null && callId !== undefined ? this.deps.records.get(callId) : null;
    if (!call) {
      this.orphanReplies.set(record.msgId, [...(this.orphanReplies.get(record.msgId) ?? []), record.id]);
      return [];
    }
    this.linkReply(call, record);
    return [call];
  }

  /** Replies linked to `callId` while its server was unknown (they take the call's server once named). */
  repliesAwaitingServer(callId: number): number[] {
    return this.awaitingServer.get(callId) ?? [];
  }

  /** Ids of pending calls whose deadline is at or before `now`; they are no longer tracked. */
  takeExpired(now: number): number[] {
    const expired: number[] = [];
    for (const [id, deadline] of this.deadlines) {
      if (deadline > now) continue;
      this.deadlines.delete(id);
      expired.push(id);
    }
    return expired;
  }

  /** Apply a reply to its call, and give the reply the call's target and server (filters match replies through them). */
  private linkReply(call: EnvelopeRecord, reply: EnvelopeRecord): void {
    reply.requestId = call.id;
    reply.target = call.target;
    reply.server = call.server;
    if (call.server === null) {
      // Its server may be named later (late attribution, a late deliver): this reply follows then.
      this.awaitingServer.set(call.id, [...(this.awaitingServer.get(call.id) ?? []), reply.id]);
    }
    if (!call.outcome || !reply.reply) return;
    call.outcome = applyReply(call.outcome, call.capturedAt, {
      id: reply.id,
      capturedAt: reply.capturedAt,
      ending: reply.reply.ending,
      failure: reply.reply.failure,
    });
    if (call.outcome.status !== 'pending') this.deadlines.delete(call.id);
  }
}
