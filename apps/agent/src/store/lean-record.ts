/**
 * The lean form of a stored record. Most of a record's bytes are what its raw body holds anyway
 * (args, context, a reply's result, a notification's payload), and the store keeps the raw
 * body. A lean record leaves them out; reading it back decodes the stored body again. That
 * saves serializing them on the capture thread, copying them to the writer thread, writing
 * them, and rewriting them each time a delivery or a reply changes the row.
 */
import type { DecodedEnvelope, EnvelopeRecord } from '@osloscope/shared';

/**
 * The record JSON to store and whether it is lean. A verified message (`valid`) is stored
 * whole: it may have been decoded from its decrypted plaintext, which the raw body does not hold.
 */
export function storedRecordJson(record: EnvelopeRecord): { json: string; lean: boolean } {
  if (record.signature.status === 'valid') return { json: JSON.stringify(record), lean: false };
  // Most writes: a record that was streamed already dropped its body (forgetBody), no copy needed.
  if (withoutBodyFields(record)) return { json: JSON.stringify(record), lean: true };
  const lean: EnvelopeRecord = {
    ...record,
    args: null,
    context: null,
    reply: record.reply && { ...record.reply, result: null },
    notification: record.notification && { ...record.notification, payload: null },
  };
  return { json: JSON.stringify(lean), lean: true };
}

/**
 * Put back what a lean record left out, from its stored raw body decoded again the way the
 * capture decoded it (`buildRecord` took these fields from that decode unchanged).
 */
export function hydrateRecord(lean: EnvelopeRecord, decoded: DecodedEnvelope): EnvelopeRecord {
  lean.args = decoded.args;
  lean.context = decoded.context;
  if (lean.reply) lean.reply.result = decoded.reply?.result ?? null;
  if (lean.notification) lean.notification.payload = decoded.notification?.payload ?? null;
  return lean;
}

/**
 * Drop a record's body fields from memory once it was streamed: later versions of it are
 * streamed without them (shared `withoutBody`), stored without them (lean), searched by the
 * `body_text` taken when it was queued, and reads decode them again from the stored body. A
 * recent record then holds ~1 KB instead of its decoded args and context (~7 KB at 1 KB
 * bodies, far more at 20 KB). A verified record keeps them: it is stored whole, its body may
 * be decrypted plaintext the raw body does not hold. Nested objects are replaced, not
 * changed: a streamed view may share them.
 */
export function forgetBody(record: EnvelopeRecord): void {
  if (record.signature.status === 'valid') return;
  record.args = null;
  record.context = null;
  if (record.reply && record.reply.result !== null) record.reply = { ...record.reply, result: null };
  if (record.notification && record.notification.payload !== null) record.notification = { ...record.notification, payload: null };
}

function withoutBodyFields(record: EnvelopeRecord): boolean {
  return record.args === null && record.context === null && (record.reply?.result ?? null) === null && (record.notification?.payload ?? null) === null;
}
