// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvelopeDetail } from '@osloscope/shared';
import { makeRecord } from '../../test/make-record';
import { useEnvelope } from './use-envelope';

/** Every render, as `<id asked>: <what it showed>`: React may paint a render before its effects run. */
let renders: string[] = [];

function Probe(props: { id: number | null }) {
  const loaded = useEnvelope(props.id);
  const text = loaded.state === 'ok' ? `ok #${loaded.value.id} ${loaded.value.method}` : loaded.state;
  renders.push(`${props.id}: ${text}`);
  return <div data-testid="probe">{text}</div>;
}

/** The agent's HTTP API (the socket is not connected in tests): message 2 answers only when released. */
function mockAgent(): { release: () => void } {
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  vi.stubGlobal('fetch', async (url: string) => {
    const id = Number(url.split('/').pop());
    if (id === 2) await held;
    const detail: EnvelopeDetail = { ...makeRecord(id, { method: `method-${id}` }), rawBase64: '', maskedFields: [], properties: {}, broker: null };
    return new Response(JSON.stringify(detail), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return { release };
}

describe('useEnvelope', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("never shows the previous message's detail under the next message's id while that one loads", async () => {
    const agent = mockAgent();
    renders = [];
    const { rerender } = render(<Probe id={1} />);
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('ok #1 method-1'));
    renders = [];
    rerender(<Probe id={2} />);
    await act(async () => agent.release());
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('ok #2 method-2'));
    // Every render for message 2, the very first included (before any effect ran), said loading until its own detail came.
    expect(new Set(renders)).toEqual(new Set(['2: loading', '2: ok #2 method-2']));
    rerender(<Probe id={null} />);
    expect(screen.getByTestId('probe').textContent).toBe('idle');
  });
});
