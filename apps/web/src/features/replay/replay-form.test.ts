import { describe, expect, it } from 'vitest';
import { REDACTED, type EnvelopeDetail } from '@osloscope/shared';
import { makeRecord } from '../../test/make-record';
import { initialForm, isReplayable, maskedFieldsIn, toRequest } from './replay-form';

function detail(): EnvelopeDetail {
  const r = makeRecord(12, {
    kind: 'call',
    method: 'echo',
    args: { value: 'x' },
    context: { request_id: 'req-1', auth_token: REDACTED },
    exchange: 'openstack',
    routingKey: 'demo',
  });
  return { ...r, rawBase64: '', maskedFields: ['oslo.message._context_auth_token'], properties: {}, broker: null };
}

describe('replay form', () => {
  it('sends no edits for an untouched form, so the original exact values are replayed', () => {
    const d = detail();
    expect(toRequest(d, initialForm(d), false)).toEqual({ ok: true, value: { id: 12 } });
  });

  it('sends only what the user changed', () => {
    const d = detail();
    const form = { ...initialForm(d), args: '{"value": "y"}', version: '', server: 'node-b' };
    const req = toRequest(d, form, false);
    expect(req.ok && req.value).toMatchObject({ id: 12, edits: { args: { value: 'y' } }, target: { server: 'node-b' } });
    expect(req.ok && req.value.edits && 'context' in req.value.edits).toBe(false);
  });

  it('always confirms the target for an imported message', () => {
    const d = detail();
    const req = toRequest(d, initialForm(d), true);
    expect(req.ok && req.value.target).toEqual({ exchange: d.exchange, routingKey: d.routingKey });
  });

  it('names the field when edited JSON is invalid or not an object', () => {
    const d = detail();
    expect(toRequest(d, { ...initialForm(d), args: '{"value": ' }, false)).toMatchObject({ ok: false, error: expect.stringMatching(/^args: not valid JSON/) });
    expect(toRequest(d, { ...initialForm(d), context: '[1]' }, false)).toEqual({ ok: false, error: 'context: must be a JSON object' });
    expect(toRequest(d, { ...initialForm(d), method: '' }, false)).toMatchObject({ ok: false, error: expect.stringMatching(/^method/) });
  });

  it('lists masked secrets still in the form, and only calls/casts are replayable', () => {
    const d = detail();
    expect(maskedFieldsIn(initialForm(d))).toEqual(['context.auth_token']);
    expect(isReplayable(d)).toBe(true);
    expect(isReplayable({ ...d, kind: 'reply' })).toBe(false);
    expect(isReplayable({ ...d, rawMissing: 'The raw event of this message is lost: raw/00000003.seg is truncated.' })).toBe(false);
  });
});
