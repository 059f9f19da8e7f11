import { describe, expect, it } from 'vitest';
import type { RemoteFailure } from '@osloscope/shared';
import { applyReply, pendingOutcome, timedOut, timeoutDeadline } from './outcome.js';

const failure: RemoteFailure = { class: 'ValueError', module: 'builtins', message: 'bad', traceback: [], args: [], kwargs: {} };

describe('call outcome from replies', () => {
  it('counts heartbeats, then settles on the final reply with latency', () => {
    let o = pendingOutcome();
    o = applyReply(o, 1000, { id: 2, capturedAt: 2000, ending: false, failure: null });
    o = applyReply(o, 1000, { id: 3, capturedAt: 3000, ending: false, failure: null });
    o = applyReply(o, 1000, { id: 4, capturedAt: 3500, ending: true, failure: null });
    expect(o).toEqual({ status: 'ok', latencyMs: 2500, replyId: 4, failure: null, heartbeats: 2 });
  });

  it('keeps the failure of a legacy two-part reply (first part has no `ending`)', () => {
    let o = applyReply(pendingOutcome(), 0, { id: 2, capturedAt: 10, ending: null, failure });
    expect(o.status).toBe('pending');
    o = applyReply(o, 0, { id: 3, capturedAt: 12, ending: true, failure: null });
    expect(o).toMatchObject({ status: 'error', replyId: 3, latencyMs: 12, failure: { class: 'ValueError', module: 'builtins', message: 'bad' } });
  });

  it('ignores a duplicate final reply', () => {
    const done = applyReply(pendingOutcome(), 0, { id: 2, capturedAt: 10, ending: true, failure: null });
    expect(applyReply(done, 0, { id: 5, capturedAt: 20, ending: true, failure })).toBe(done);
  });

  it('stays timeout after a late reply, recording the link', () => {
    const late = applyReply(timedOut(pendingOutcome()), 0, { id: 9, capturedAt: 99_000, ending: true, failure: null });
    expect(late).toEqual({ status: 'timeout', latencyMs: null, replyId: 9, failure: null, heartbeats: 0 });
  });

  it('computes deadlines from expiration or the default, plus 1 s grace', () => {
    expect(timeoutDeadline(1000, 2000, 60_000)).toBe(4000);
    expect(timeoutDeadline(1000, null, 60_000)).toBe(62_000);
  });
});
