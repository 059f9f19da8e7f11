/**
 * What leaves the capture core: records with secrets masked (unless the agent runs with
 * --show-secrets). Stored records keep what was on the wire, so the flag can change between
 * runs without leaking anything captured earlier.
 */
import { redactContext, redactJsonText, redactString, redactValue, type DecodedEnvelope, type EnvelopeDetail, type EnvelopeRecord } from '@osloscope/shared';

/**
 * Stored with an imported record whose body the exporting agent masked: the JSON paths it
 * replaced. Not part of the API record (lists and the stream look the same as the exporter's);
 * the detail reports it as maskedFields.
 */
interface ImportedMasking {
  maskedAtExport?: string[];
}

/** Mark a record as imported with a body masked at export (`masked` lists the JSON paths). */
export function withMaskedAtExport(record: EnvelopeRecord, masked: string[]): EnvelopeRecord {
  (record as EnvelopeRecord & ImportedMasking).maskedAtExport = masked;
  return record;
}

/** The JSON paths masked at export, for an imported record (`[]` otherwise). */
export function maskedAtExportOf(record: EnvelopeRecord): string[] {
  return (record as EnvelopeRecord & ImportedMasking).maskedAtExport ?? [];
}

/** The record as the API shows it: internal storage facts left out. */
function apiRecord(record: EnvelopeRecord): EnvelopeRecord {
  if (!('maskedAtExport' in record)) return { ...record };
  const { maskedAtExport: _internal, ...rest } = record as EnvelopeRecord & ImportedMasking;
  return rest;
}

const maskValue = (v: unknown) => redactValue(v).value;

/** A remote failure with its text masked: exception messages and tracebacks can quote passwords and tokens. */
function maskFailure<F extends { message: string; traceback?: string[]; args?: unknown[]; kwargs?: Record<string, unknown> }>(f: F): F {
  const out = { ...f, message: redactString(f.message) };
  if (f.traceback) out.traceback = f.traceback.map(redactString);
  if (f.args) out.args = maskValue(f.args) as unknown[];
  if (f.kwargs) out.kwargs = maskValue(f.kwargs) as Record<string, unknown>;
  return out;
}

/**
 * A copy of the record safe to show: context, args, results and payloads masked. Each record's
 * body fields are presented once on the live path (updates and new records in the stream leave
 * them, or the context, out: shared `withoutBody`, `withoutContext`), so nothing is cached.
 */
export function presentRecord(record: EnvelopeRecord, showSecrets: boolean): EnvelopeRecord {
  if (showSecrets) return apiRecord(record);
  return {
    ...apiRecord(record),
    context: record.context ? redactContext(record.context).value : null,
    args: record.args ? (maskValue(record.args) as Record<string, unknown>) : null,
    reply: record.reply
      ? { ...record.reply, result: maskValue(record.reply.result), failure: record.reply.failure && maskFailure(record.reply.failure) }
      : null,
    outcome: record.outcome?.failure ? { ...record.outcome, failure: maskFailure(record.outcome.failure) } : record.outcome,
    notification: record.notification ? { ...record.notification, payload: maskValue(record.notification.payload) } : null,
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

/**
 * The detail view of a stored record. An imported record whose body was masked at export
 * keeps saying which fields were masked (its stored body has no secrets left to find), and
 * `bodyMaskedAtExport` tells the raw view the real values are gone.
 */
export function presentDetail(record: EnvelopeRecord, body: Uint8Array, decoded: DecodedEnvelope | null, showSecrets: boolean): EnvelopeDetail {
  const { base64, masked } = presentBody(body, showSecrets);
  const atExport = maskedAtExportOf(record);
  const detail: EnvelopeDetail = {
    ...presentRecord(record, showSecrets),
    rawBase64: base64,
    maskedFields: atExport.length === 0 ? masked : [...new Set([...atExport, ...masked])],
    properties: decoded?.properties ?? {},
    broker: decoded?.broker ?? null,
  };
  if (atExport.length > 0) detail.bodyMaskedAtExport = true;
  return detail;
}

/**
 * The detail of a stored record whose raw event is lost (`lost`: why, e.g. `raw/00000003.seg is
 * truncated`): what the index kept, and a note in words in place of the raw body and its facts.
 */
export function presentLostDetail(record: EnvelopeRecord, lost: string, showSecrets: boolean): EnvelopeDetail {
  return {
    ...presentRecord(record, showSecrets),
    rawBase64: '',
    maskedFields: maskedAtExportOf(record),
    properties: {},
    broker: null,
    rawMissing: `The raw event of this message is lost: ${lost}. Its body, AMQP properties and broker facts cannot be shown; what is shown is what the capture's index kept.`,
  };
}
