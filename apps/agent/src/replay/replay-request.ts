/**
 * What a browser may send to the replay API. Parsed with zod: a client can send anything,
 * and every problem must become a clear 400, never a crash.
 */
import { z } from 'zod';

const name = z.string().min(1).max(255);

/** Editable parts of the captured message; absent = keep the original's. */
export const replayEditsSchema = z.strictObject({
  method: name.optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  /** `null` = send no version key. */
  version: z.string().max(32).nullable().optional(),
  /** `null` = default namespace. */
  namespace: z.string().max(255).nullable().optional(),
});
export type ReplayEdits = z.infer<typeof replayEditsSchema>;

/** Where to publish instead of the original's exchange / routing key. */
export const replayTargetSchema = z.strictObject({
  exchange: z.string().max(255).optional(),
  routingKey: z.string().max(255).optional(),
  /** Another server of the same topic: routing key `<topic>.<server>`. */
  server: name.optional(),
});
export type ReplayTarget = z.infer<typeof replayTargetSchema>;

/** `POST /api/replay/preview` body. */
export const replayPreviewSchema = z.strictObject({
  id: z.number().int().positive(),
  edits: replayEditsSchema.optional(),
  target: replayTargetSchema.optional(),
});
export type ReplayPreviewRequest = z.infer<typeof replayPreviewSchema>;

/** `POST /api/replay` body: the preview request plus the user's explicit confirmation. */
export const replaySendSchema = replayPreviewSchema.extend({
  confirm: z.literal(true, { error: 'replay needs "confirm": true (the user must confirm what is sent)' }),
  /** Send exactly the message a preview returned (same ids); edits/target then come from the preview. */
  previewId: z.string().min(1).max(64).optional(),
  /** The user confirmed a target other than the original's (the preview's `retarget`). */
  confirmTarget: z.literal(true, { error: '"confirmTarget" can only be true' }).optional(),
});
export type ReplaySendRequest = z.infer<typeof replaySendSchema>;

/** Parse `value`; on failure a one-line message naming the first bad field. */
export function parseReplayInput<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `invalid replay request: ${where}${issue?.message ?? 'bad value'}` };
}
