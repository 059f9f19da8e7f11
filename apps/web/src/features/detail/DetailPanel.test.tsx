// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pythonFloat, type EnvelopeDetail } from '@osloscope/shared';
import { makeRecord } from '../../test/make-record';
import { openDetail } from '../../stores/ui-store';
import { DetailPanel } from './DetailPanel';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('DetailPanel', () => {
  it("shows Python's NaN and Infinity in args and results as oslo wrote them, not as null", async () => {
    const detail: EnvelopeDetail = {
      ...makeRecord(7, { args: { value: pythonFloat('NaN'), limits: [pythonFloat('Infinity'), pythonFloat('-Infinity'), 1.5] } }),
      rawBase64: '',
      maskedFields: [],
      properties: {},
      broker: null,
    };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(detail), { status: 200, headers: { 'content-type': 'application/json' } }));
    openDetail(7);
    render(<DetailPanel />);
    const args = await screen.findByText(/"value": NaN/);
    expect(args.textContent).toContain('"limits": [\n    Infinity,\n    -Infinity,\n    1.5\n  ]');
    expect(args.textContent).not.toContain('null');
    expect(args.textContent).not.toContain('$float');
  });

  it('says in words when the raw event of a message is lost, in place of its raw body', async () => {
    const detail: EnvelopeDetail = {
      ...makeRecord(8, { kind: 'call', method: 'resize' }),
      rawBase64: '',
      maskedFields: [],
      properties: {},
      broker: null,
      rawMissing: 'The raw event of this message is lost: raw/00000003.seg is truncated.',
    };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(detail), { status: 200, headers: { 'content-type': 'application/json' } }));
    openDetail(8);
    render(<DetailPanel />);
    const note = await screen.findByTestId('detail-raw-missing');
    expect(note.textContent).toContain('raw/00000003.seg is truncated');
    expect(screen.getByTestId('detail-method').textContent).toBe('resize');
    expect(screen.queryByTestId('detail-raw')).toBeNull();
  });
});
