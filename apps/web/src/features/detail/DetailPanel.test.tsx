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
});
