/**
 * What leaves the capture core: records with secrets masked (unless the agent runs with
 * --show-secrets). Stored records keep what was on the wire, so the flag can change between
 * runs without leaking anything captured earlier.
 */
import { redactContext, redactJsonText, redactValue, type DecodedEnvelope, type EnvelopeDetail, type EnvelopeRecord } from '@osloscope/shared';

/** A copy of the record safe to show: context, args, results and payloads masked. */
export function presentRecord(record: EnvelopeRecord, showSecrets: boolean): EnvelopeRecord {
  if (showSecrets) return { ...record };
  return {
    ...record,
    context: record.context ? redactContext(record.context).value : null,
    args: record.args ? (redactValue(record.args).value as Record<string, unknown>) : null,
    reply: record.reply ? { ...record.reply, result: redactValue(record.reply.result).value } : null,
    notification: record.notification ? { ...record.notification, payload: redactValue(record.notification.payload).value } : null,
  };
}

/** The raw body for display: masked JSON text unless showSecrets; bytes that are not text are shown as they are. */
export function presentBody(body: Uint8Array, showSecrets: boolean): { base64: string; masked: string[] } {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (showSecrets) return { base64: buf.toString('base64'), masked: [] };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  const { text: maskedText, masked } = redactJsonText(text);
  if (masked.length === 0) return { base64: buf.toString('base64'), masked: [] };
  return { base64: Buffer.from(maskedText, 'utf8').toString('base64'), masked };
}

export function presentDetail(record: EnvelopeRecord, body: Uint8Array, decoded: DecodedEnvelope | null, showSecrets: boolean): EnvelopeDetail {
  const { base64, masked } = presentBody(body, showSecrets);
  return {
    ...presentRecord(record, showSecrets),
    rawBase64: base64,
    maskedFields: masked,
    properties: decoded?.properties ?? {},
    broker: decoded?.broker ?? null,
  };
}
