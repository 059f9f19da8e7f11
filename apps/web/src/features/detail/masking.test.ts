import { describe, expect, it } from 'vitest';
import { maskingNotes } from './masking';

describe('maskingNotes', () => {
  it('lists the fields the agent masked in a live capture', () => {
    const n = maskingNotes({ maskedFields: ['oslo.message._context_auth_token', 'oslo.message.args.password'] });
    expect(n.secrets).toBe('secrets masked: oslo.message._context_auth_token, oslo.message.args.password');
    expect(n.atExport).toBeNull();
  });
  it('says nothing when nothing was masked', () => {
    expect(maskingNotes({ maskedFields: [] })).toEqual({ secrets: null, atExport: null });
  });
  it('tells an imported capture masked at export apart from display masking', () => {
    const n = maskingNotes({ maskedFields: ['oslo.message._context_auth_token'], bodyMaskedAtExport: true });
    expect(n.secrets).toBeNull();
    expect(n.atExport).toContain('masked when this capture was exported: fields oslo.message._context_auth_token');
  });
});
