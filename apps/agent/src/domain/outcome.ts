import type { CallOutcome, RemoteFailure } from '@osloscope/shared';

/** A call's outcome before any reply was seen. */
export function pendingOutcome(): CallOutcome {
  return { status: 'pending', latencyMs: null, replyId: null, failure: null, heartbeats: 0 };
}

/** What the correlator needs to know about one reply message. */
export interface ReplyFacts {
  id: number;
  capturedAt: number;
  /** `true` final, `false` call-monitor heartbeat, `null` legacy (pre-4.0) first part. */
  ending: boolean | null;
  failure: RemoteFailure | null;
}

function brief(failure: RemoteFailure): CallOutcome['failure'] {
  return { class: failure.class, module: failure.module, message: failure.message };
}

/**
 * The call's outcome after one more reply (oslo-wire-format §4.4).
 *
 * - heartbeat (`ending: false`): counted while the call is pending;
 * - legacy first part (no `ending`): its failure is kept (the call stays pending) because the
 *   closing `ending: true` part carries `failure: null` — oslo's client keeps the last non-null;
 * - final (`ending: true`): ok / error with latency from call publish to reply publish.
 *
 * Once a call is decided, later replies do not change it: a duplicate final reply (the
 * server's mandatory-retry republish) keeps the first, and a reply after `timeout` keeps
 * `timeout` (the caller had already raised MessagingTimeout) but records the reply's id so
 * the operator can still open it.
 */
export function applyReply(outcome: CallOutcome, callCapturedAt: number, reply: ReplyFacts): CallOutcome {
  if (outcome.status === 'timeout') {
    return reply.ending === true && outcome.replyId === null ? { ...outcome, replyId: reply.id } : outcome;
  }
  if (outcome.status !== 'pending') return outcome;
  if (reply.ending === false) return { ...outcome, heartbeats: outcome.heartbeats + 1 };
  const failure = reply.failure ? brief(reply.failure) : outcome.failure;
  if (reply.ending === null) return { ...outcome, failure };
  return {
    ...outcome,
    status: failure ? 'error' : 'ok',
    failure,
    replyId: reply.id,
    latencyMs: Math.max(0, reply.capturedAt - callCapturedAt),
  };
}

/** Extra time after a call's expiration before calling it a timeout (clock skew, late trace events). */
export const TIMEOUT_GRACE_MS = 1000;

/** When a pending call becomes a timeout: publish + `expiration` (or the default rpc_response_timeout) + grace. */
export function timeoutDeadline(capturedAt: number, expirationMs: number | null, defaultTimeoutMs: number): number {
  return capturedAt + (expirationMs ?? defaultTimeoutMs) + TIMEOUT_GRACE_MS;
}

/** A pending call that passed its deadline. */
export function timedOut(outcome: CallOutcome): CallOutcome {
  return outcome.status === 'pending' ? { ...outcome, status: 'timeout' } : outcome;
}
