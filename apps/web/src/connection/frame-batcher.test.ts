import { describe, expect, it } from 'vitest';
import { createFrameBatcher } from './frame-batcher';
import { liveStore, receiveLiveEvents, resetLiveBuffer, type LiveEvent } from '../stores/live-store';
import { makeRecord } from '../test/make-record';

/** A fake animation-frame clock: frames run only when the test says so. */
function fakeFrames() {
  const queued: (() => void)[] = [];
  return {
    schedule: (run: () => void) => void queued.push(run),
    frame: () => queued.splice(0).forEach((run) => run()),
    scheduledCount: () => queued.length,
  };
}

describe('createFrameBatcher', () => {
  it('turns many socket batches within a frame into one store update', () => {
    resetLiveBuffer();
    const frames = fakeFrames();
    let updates = 0;
    const unsubscribe = liveStore.subscribe(() => updates++);
    const batcher = createFrameBatcher<LiveEvent>((events) => receiveLiveEvents(events, 1000), frames.schedule);
    for (let i = 1; i <= 50; i++) {
      batcher.push({ type: 'batch', batch: { items: [makeRecord(i)], updates: [], skipped: 0, history: false } });
    }
    expect(frames.scheduledCount()).toBe(1);
    expect(updates).toBe(0);
    frames.frame();
    expect(updates).toBe(1);
    expect(liveStore.getState().buffered).toBe(50);

    batcher.push({ type: 'batch', batch: { items: [makeRecord(51)], updates: [], skipped: 0, history: false } });
    frames.frame();
    expect(updates).toBe(2);
    unsubscribe();
  });

  it('does not flush when nothing is pending', () => {
    const frames = fakeFrames();
    let flushes = 0;
    const batcher = createFrameBatcher<number>(() => flushes++, frames.schedule);
    batcher.push(1);
    batcher.flushNow();
    frames.frame();
    expect(flushes).toBe(1);
    expect(batcher.pendingCount()).toBe(0);
  });
});
