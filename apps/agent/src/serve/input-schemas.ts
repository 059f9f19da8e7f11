/**
 * zod schemas for what browsers send over socket.io. The event types in shared are only
 * hints: a client can send anything, and a bad filter must get an error ack, not a crash.
 */
import { ENVELOPE_KINDS, OUTCOME_STATUSES, SIGNATURE_STATUSES, type EnvelopeFilter } from '@osloscope/shared';
import { z } from 'zod';

/** Longest history a subscriber may ask for (a few pages of the HTTP API). */
export const MAX_HISTORY_LIMIT = 5000;
export const DEFAULT_HISTORY_LIMIT = 500;

const text = z.string().max(500);

export const envelopeFilterSchema = z.strictObject({
  exchange: text.exactOptional(),
  topic: text.exactOptional(),
  server: text.exactOptional(),
  namespace: text.exactOptional(),
  method: text.exactOptional(),
  version: text.exactOptional(),
  kind: z.enum(ENVELOPE_KINDS).exactOptional(),
  outcome: z.enum(OUTCOME_STATUSES).exactOptional(),
  signature: z.enum(SIGNATURE_STATUSES).exactOptional(),
  text: text.exactOptional(),
}) satisfies z.ZodType<EnvelopeFilter>;

export const subscribeRequestSchema = z.object({
  filter: envelopeFilterSchema,
  historyLimit: z.number().int().min(0).max(MAX_HISTORY_LIMIT).exactOptional(),
});

export const recordIdSchema = z.number().int().positive();

/** Parse `value`; on failure a one-line message naming the first bad field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `invalid request: ${where}${issue?.message ?? 'bad value'}` };
}
