// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRecord } from '../../test/make-record';
import { receiveLiveEvents, resetLiveBuffer } from '../../stores/live-store';
import { StreamRow } from './StreamRow';

describe('StreamRow', () => {
  beforeEach(resetLiveBuffer);
  afterEach(cleanup);

  it('shows kind, method, outcome and a failed signature with its reason in words', () => {
    const rec = makeRecord(7, {
      method: 'reboot_instance',
      outcome: { status: 'timeout', latencyMs: null, replyId: null, failure: null, heartbeats: 2 },
      signature: { status: 'failed', reason: 'ReplayedNonce' },
    });
    receiveLiveEvents([{ type: 'batch', batch: { items: [rec], updates: [], skipped: 0, history: false } }], 10);
    let opened: number | null = null;
    render(<StreamRow id={7} selected={false} top={0} height={24} onOpen={(id) => (opened = id)} />);
    const row = screen.getByTestId('stream-row');
    expect(row.dataset).toMatchObject({ kind: 'call', method: 'reboot_instance', outcome: 'timeout', signature: 'failed' });
    expect(screen.getByTestId('sig-badge').getAttribute('title')).toBe('nonce already seen from this source: replayed message');
    fireEvent.click(row);
    expect(opened).toBe(7);
  });

  it('re-renders with the updated record when the outcome arrives', () => {
    const pending = makeRecord(8, { outcome: { status: 'pending', latencyMs: null, replyId: null, failure: null, heartbeats: 0 } });
    receiveLiveEvents([{ type: 'batch', batch: { items: [pending], updates: [], skipped: 0, history: false } }], 10);
    render(<StreamRow id={8} selected={false} top={0} height={24} onOpen={() => undefined} />);
    expect(screen.getByTestId('stream-row').dataset.outcome).toBe('pending');
    const done = makeRecord(8, { outcome: { status: 'ok', latencyMs: 42, replyId: 9, failure: null, heartbeats: 0 } });
    receiveLiveEvents([{ type: 'batch', batch: { items: [], updates: [done], skipped: 0, history: false } }], 10);
    // zustand notifies synchronously; React flushes on the next act, which RTL's queries wait for.
    return screen.findByText('42 ms').then(() => expect(screen.getByTestId('stream-row').dataset.outcome).toBe('ok'));
  });
});
