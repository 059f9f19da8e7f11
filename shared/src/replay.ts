/**
 * Replay API shapes (docs/http-api.md "Replay"): what `POST /api/replay/preview`,
 * `POST /api/replay` and `GET /api/replay/audit` return. Shared by the agent and the web dialog.
 */
import type { AmqpProperties } from './envelope.js';

/** Editable parts of a captured call/cast; absent = keep the original's. */
export interface ReplayEditsWire {
  method?: string;
  args?: Record<string, unknown>;
  context?: Record<string, unknown>;
  /** `null` = send no version key. */
  version?: string | null;
  /** `null` = default namespace. */
  namespace?: string | null;
}

export interface ReplayTargetWire {
  exchange?: string;
  routingKey?: string;
  /** Another server of the same topic (`<topic>.<server>`). */
  server?: string;
}

export interface ReplayRequestWire {
  id: number;
  edits?: ReplayEditsWire;
  target?: ReplayTargetWire;
  /**
   * Sending only: the user confirmed publishing somewhere else than the original went
   * (another exchange, routing key or broker: the preview's `retarget`). Required then.
   */
  confirmTarget?: true;
}

/** Exactly what a replay publishes (the preview; sending with its `previewId` sends these bytes). */
export interface ReplayPreview {
  /** Pass back as `previewId` to send exactly this message. Also the replay id (= its `_unique_id`). */
  previewId: string;
  originalId: number;
  /** Broker source (transport) it will be published to. */
  source: string;
  kind: 'call' | 'cast';
  exchange: string;
  routingKey: string;
  properties: AmqpProperties;
  /** The message body as published (UTF-8 text; the signed 2.1 envelope when signed). */
  body: string;
  /** The oslo message inside the envelope (what the server executes). */
  innerMessage: string;
  method: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  version: string | null;
  namespace: string | null;
  uniqueId: string;
  /** Calls: the fresh `_msg_id` and osloscope's own reply queue. */
  msgId: string | null;
  replyQueue: string | null;
  /** Calls: how long osloscope waits for the reply (the call's expiration). */
  timeoutMs: number | null;
  signed: boolean;
  /** Plain-language signing note, e.g. "unsigned: no signing key for destination 'demo'". */
  signingNote: string;
  /** Warnings the dialog shows (e.g. the original came from an imported capture). */
  warnings: string[];
  /**
   * Set when the replay goes somewhere else than the original went (exchange / routing key,
   * and the broker when it differs): sending it needs `confirmTarget: true`.
   */
  retarget: { from: string; to: string } | null;
  /**
   * Secrets masked in this preview (body, innerMessage, args, context) unless the agent runs
   * with --show-secrets; the real values are what gets published.
   */
  maskedFields: string[];
}

/** `POST /api/replay` answer. */
export interface ReplayResult {
  /** Record id of the replayed message once captured, `null` if it was not seen within a few seconds. */
  id: number | null;
  /** The replay's `_unique_id`: matches the record's `uniqueId` and the audit entry. */
  replayId: string;
  msgId: string | null;
  /** `false` when the broker returned the message as unroutable (no queue bound). */
  routed: boolean;
}

export const REPLAY_OUTCOMES = ['sent', 'ok', 'error', 'timeout', 'unroutable', 'failed'] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

/** One replay in the audit log (secrets masked). */
export interface ReplayAuditEntry {
  replayId: string;
  /** Epoch ms the replay was sent. */
  at: number;
  originalId: number;
  /** Record id of the replayed message, when known. */
  newId: number | null;
  source: string;
  exchange: string;
  routingKey: string;
  kind: 'call' | 'cast';
  method: string;
  signed: boolean;
  /** The oslo message sent, secrets masked. */
  sent: string;
  outcome: ReplayOutcome;
  /** e.g. the remote exception class and message, or why publishing failed. */
  detail: string | null;
  /** Where the original went, when the user confirmed publishing elsewhere (`exchange / routing key`). */
  retargetedFrom: string | null;
  /** Epoch ms of the outcome (reply, timeout); `null` while a call waits. */
  finishedAt: number | null;
}
