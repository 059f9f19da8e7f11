/**
 * Replay of captured calls/casts, with its safety rules: off unless enabled
 * (--allow-replay), explicit confirmation, an optional exact preview, the edited message
 * must decode as an oslo message, never the redaction mask, rate-limited, every replay
 * audited. Publishes through one ReplayBroker per broker source and follows a call until
 * its reply (or its expiration).
 */
import { hostname } from 'node:os';
import {
  describeReplayOutcome,
  parseTransportUrl,
  redactContext,
  redactJsonText,
  redactValue,
  uuid4Hex,
  type EncodedMessage,
  type ReplayAuditEntry,
  type ReplayPreview,
  type ReplayResult,
} from '@osloscope/shared';
import type { Logger } from '../log.js';
import type { CaptureService } from '../ports/capture-service.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createSigner, type KeyRing } from '../signing/index.js';
import { createAuditLog, type ReplayAuditLog } from './audit-log.js';
import { createRateLimiter } from './rate-limit.js';
import { createReplayBroker, type ReplayBroker, type ReplayReply } from './replay-broker.js';
import { planReplay, type PlanResult } from './replay-plan.js';
import type { ReplayPreviewRequest, ReplaySendRequest } from './replay-request.js';

/**
 * Which of the replay's own messages the capture sources cannot see, so replay ingests
 * them itself (origin `replay`): `firehose` sees everything; `tap` misses replies (default
 * exchange); `none` (no capture on that broker, e.g. an imported capture) misses both.
 */
export type ReplayIngest = 'firehose' | 'tap' | 'none';

export interface ReplayBrokerSpec {
  /** Source name, as in EnvelopeRecord.source. */
  source: string;
  transportUrl: string;
  ingest: ReplayIngest;
}

export interface ReplayServiceOptions {
  /** `--allow-replay`. */
  enabled: boolean;
  /** Why replay is off, when it is (default DISABLED_MESSAGE; --read-only says so). */
  disabledMessage?: string;
  capture: Pick<CaptureService, 'get' | 'getRaw' | 'ingest' | 'subscribe' | 'linkReplay'>;
  brokers: ReplayBrokerSpec[];
  /** Signing keys (`--keys`); with a key for the destination, replays are signed. */
  keys: KeyRing | null;
  /** Where the audit log lives. */
  dataDir: string;
  logger: Logger;
  /** `--show-secrets`: previews show secrets instead of the mask. @default false */
  showSecrets?: boolean;
  /** @default 5 per 10 s */
  rateLimit?: { max: number; windowMs: number };
  /** How long `send` waits for the capture to show the replayed message. @default 3000 */
  recordWaitMs?: number;
  now?: () => number;
}

/** A refusal or failure, as the HTTP layer sends it. */
export interface ReplayError {
  ok: false;
  status: 400 | 403 | 404 | 409 | 410 | 429 | 502;
  error: string;
  retryAfterMs?: number;
}
export type ReplayAnswer<T> = { ok: true; value: T } | ReplayError;

export interface ReplayService {
  readonly enabled: boolean;
  /** What a refused request is told when replay is off. */
  readonly disabledMessage: string;
  preview(req: ReplayPreviewRequest): Promise<ReplayAnswer<ReplayPreview>>;
  send(req: ReplaySendRequest): Promise<ReplayAnswer<ReplayResult>>;
  audit(limit?: number): ReplayAuditEntry[];
  close(): Promise<void>;
}

export const DISABLED_MESSAGE = 'replay is disabled: start the agent with --allow-replay to allow publishing captured messages again';
export const READ_ONLY_MESSAGE = 'replay is disabled: the agent runs with --read-only, which refuses replay whatever else is given';
const PREVIEW_TTL_MS = 10 * 60_000;
const MAX_PREVIEWS = 200;

interface PlannedReplay {
  preview: ReplayPreview;
  message: EncodedMessage;
  broker: ReplayBroker;
  spec: ReplayBrokerSpec;
  expiresAt: number;
}

interface ReplyWaiter {
  resolve(reply: ReplayReply | null): void;
}

const refuse = (status: ReplayError['status'], error: string): ReplayError => ({ ok: false, status, error });

export function createReplayService(opts: ReplayServiceOptions): ReplayService {
  const now = opts.now ?? Date.now;
  const disabledMessage = opts.disabledMessage ?? DISABLED_MESSAGE;
  const log = opts.logger.child({ component: 'replay' });
  const limiter = createRateLimiter(opts.rateLimit?.max ?? 5, opts.rateLimit?.windowMs ?? 10_000, now);
  const audit: ReplayAuditLog = createAuditLog(opts.dataDir);
  const signer = createSigner();
  const signerSource = `osloscope.${hostname()}`;
  const previews = new Map<string, PlannedReplay>();
  const replyWaiters = new Map<string, ReplyWaiter>();
  const timers = new Set<NodeJS.Timeout>();

  const brokers = new Map<string, { spec: ReplayBrokerSpec; broker: ReplayBroker }>();
  for (const spec of opts.brokers) {
    const broker = createReplayBroker({ source: spec.source, url: parseTransportUrl(spec.transportUrl), onReply: (r) => onReply(spec, r) });
    brokers.set(spec.source, { spec, broker });
  }

  function ingestOwn(
    spec: ReplayBrokerSpec,
    m: { exchange: string; routingKey: string; properties: EncodedMessage['properties']; body: Uint8Array },
    at: number,
  ): void {
    const raw: RawCapture = { source: spec.source, receivedAt: at, origin: 'replay', headers: {}, ...m };
    try {
      opts.capture.ingest(raw);
    } catch (e) {
      log.warn('could not ingest a replayed message', { error: String(e) });
    }
  }

  function onReply(spec: ReplayBrokerSpec, reply: ReplayReply): void {
    if (spec.ingest !== 'firehose') {
      ingestOwn(spec, { exchange: '', routingKey: reply.routingKey, properties: reply.properties, body: reply.body }, reply.receivedAt);
    }
    const msgId = reply.decoded.msgId;
    if (msgId === null || reply.decoded.reply?.ending === false) return; // heartbeats keep waiting
    const waiter = replyWaiters.get(msgId);
    if (!waiter) return;
    replyWaiters.delete(msgId);
    waiter.resolve(reply);
  }

  function waitForReply(msgId: string, timeoutMs: number): Promise<ReplayReply | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        replyWaiters.delete(msgId);
        resolve(null);
      }, timeoutMs);
      timers.add(timer);
      replyWaiters.set(msgId, {
        resolve(r) {
          clearTimeout(timer);
          timers.delete(timer);
          resolve(r);
        },
      });
    });
  }

  /** Resolves with the capture id of the record whose `_unique_id` is `uniqueId`, or null after `ms`. */
  function waitForRecord(uniqueId: string, ms: number): { promise: Promise<number | null>; cancel(): void } {
    let unsubscribe: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<number | null>((resolve) => {
      const done = (id: number | null) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(id);
      };
      unsubscribe = opts.capture.subscribe({ onRecord: (r) => r.uniqueId === uniqueId && done(r.id) });
      timer = setTimeout(() => done(null), ms);
    });
    return { promise, cancel: () => unsubscribe() };
  }

  function sign(innerText: string, destination: string): { body: string | null; note: string } {
    const key = opts.keys?.get(destination);
    if (!key) {
      return {
        body: null,
        note: opts.keys
          ? `unsigned: no signing key for destination '${destination}' in the key file`
          : 'unsigned: no signing keys configured (start the agent with --keys to sign replays)',
      };
    }
    try {
      return {
        body: signer.signInner(innerText, { source: signerSource, destination, key }),
        note: `signed for destination '${destination}' as '${signerSource}'`,
      };
    } catch (e) {
      return { body: null, note: `unsigned: signing failed (${e instanceof Error ? e.message : String(e)})` };
    }
  }

  /** Resolve the original, the broker and the message to publish. */
  async function plan(req: ReplayPreviewRequest): Promise<ReplayAnswer<PlannedReplay>> {
    if (!opts.enabled) return refuse(403, disabledMessage);
    const raw = opts.capture.getRaw(req.id);
    if (!raw) return refuse(404, `envelope ${req.id} not found`);
    if (raw.body === null) return refuse(410, `message ${req.id} cannot be replayed: its raw event is lost (${raw.rawMissing})`);
    const warnings: string[] = [];
    let chosen = brokers.get(raw.record.source);
    if (!chosen) {
      const first = brokers.values().next().value;
      if (!first) return refuse(409, 'no broker attached: start the agent with --transport-url to replay messages');
      const hasTarget = req.target !== undefined && Object.values(req.target).some((v) => v !== undefined);
      if (!hasTarget) {
        return refuse(
          400,
          `message ${req.id} comes from '${raw.record.source}', not from an attached broker: confirm the target (target.exchange / target.routingKey / target.server) to publish it to '${first.spec.source}'`,
        );
      }
      chosen = first;
      warnings.push(`the original came from '${raw.record.source}'; this replay is published to the attached broker '${first.spec.source}'`);
    }
    let replyQueue = '';
    if (raw.record.kind === 'call') {
      try {
        replyQueue = await chosen.broker.replyQueue();
      } catch (e) {
        return refuse(502, e instanceof Error ? e.message : String(e));
      }
    }
    const result: PlanResult = planReplay({
      original: { id: raw.record.id, exchange: raw.record.exchange, routingKey: raw.record.routingKey, expirationMs: raw.record.expirationMs, body: raw.body },
      edits: req.edits,
      target: req.target,
      source: chosen.spec.source,
      uniqueId: uuid4Hex(),
      msgId: uuid4Hex(),
      replyQueue,
      sign,
      warnings,
    });
    if (!result.ok) return refuse(400, result.error);
    const preview = { ...result.preview, retarget: retargetOf(raw.record, result.message, chosen.spec.source) };
    return { ok: true, value: { ...result, preview, broker: chosen.broker, spec: chosen.spec, expiresAt: now() + PREVIEW_TTL_MS } };
  }

  /** Where the original went and where the replay goes, when they differ (exchange, routing key, broker). */
  function retargetOf(original: { exchange: string; routingKey: string; source: string }, message: EncodedMessage, source: string): ReplayPreview['retarget'] {
    const otherBroker = original.source !== source;
    if (!otherBroker && original.exchange === message.exchange && original.routingKey === message.routingKey) return null;
    const where = (exchange: string, routingKey: string, on: string) => `${exchange || '(default exchange)'} / ${routingKey}${otherBroker ? ` on ${on}` : ''}`;
    return { from: where(original.exchange, original.routingKey, original.source), to: where(message.exchange, message.routingKey, source) };
  }

  /** The preview as shown to the browser: secrets masked (the stored message keeps the real values). */
  function masked(p: ReplayPreview): ReplayPreview {
    const body = redactJsonText(p.body);
    const inner = redactJsonText(p.innerMessage);
    const args = redactValue(p.args);
    const context = redactContext(p.context);
    const fields = [...new Set([...args.masked.map((f) => `args.${f}`), ...context.masked.map((f) => `context.${f}`)])];
    return {
      ...p,
      body: body.text,
      innerMessage: inner.text,
      args: args.value as Record<string, unknown>,
      context: context.value,
      maskedFields: fields.length > 0 || body.masked.length === 0 ? fields : body.masked,
    };
  }

  function remember(p: PlannedReplay): void {
    for (const [id, old] of previews) if (old.expiresAt < now() || previews.size >= MAX_PREVIEWS) previews.delete(id);
    previews.set(p.preview.previewId, p);
  }

  /** Why a replayed call got no reply, as far as the broker's side shows it (deliveries, redeliveries). */
  function timeoutWords(p: PlannedReplay, newId: number | null): string {
    const detail = newId !== null ? opts.capture.get(newId) : null;
    // Our wait ends at the call's expiration; the capture's timeout sweep may mark it a moment later.
    const timedOut = { status: 'timeout' as const, latencyMs: null, replyId: null, failure: null, heartbeats: detail?.outcome?.heartbeats ?? 0 };
    const words = describeReplayOutcome({
      kind: 'call',
      routed: true,
      record: { outcome: timedOut, deliveries: detail?.deliveries ?? [], server: detail?.server ?? null, routingKey: p.preview.routingKey },
      routedQueues: detail?.broker?.routedQueues ?? null,
      deliveriesVisible: detail !== null && p.spec.ingest === 'firehose',
      timeoutMs: p.preview.timeoutMs,
    });
    if (detail === null) return `${words.headline} The capture did not show the replay, so what the broker did with it is unknown.`;
    return `${words.headline} ${words.broker ?? ''}`.trim();
  }

  /** Follow the outcome after the HTTP answer: reply / timeout for a call, just sent for a cast. */
  function followOutcome(p: PlannedReplay, routed: boolean, newId: Promise<number | null>, reply: Promise<ReplayReply | null> | null): void {
    const { preview } = p;
    const finish = async (outcome: ReplayAuditEntry['outcome'], detail: string | null) => {
      audit.update({ replayId: preview.uniqueId, outcome, detail, finishedAt: now(), newId: await newId });
    };
    void (async () => {
      if (!routed) {
        if (preview.msgId !== null) replyWaiters.get(preview.msgId)?.resolve(null);
        return finish('unroutable', `no queue is bound for ${preview.exchange || '(default exchange)'} / ${preview.routingKey}`);
      }
      if (!reply) return finish('sent', null);
      const r = await reply;
      if (r === null) return finish('timeout', timeoutWords(p, await newId));
      const failure = r.decoded.reply?.failure ?? null;
      return failure ? finish('error', `${failure.class}: ${failure.message}`) : finish('ok', null);
    })().catch((e: unknown) => log.error('replay audit update failed', { error: String(e) }));
  }

  return {
    enabled: opts.enabled,
    disabledMessage,
    async preview(req) {
      const planned = await plan(req);
      if (!planned.ok) return planned;
      remember(planned.value);
      return { ok: true, value: opts.showSecrets === true ? planned.value.preview : masked(planned.value.preview) };
    },
    async send(req) {
      if (!opts.enabled) return refuse(403, disabledMessage);
      let p: PlannedReplay;
      if (req.previewId !== undefined) {
        const stored = previews.get(req.previewId);
        if (!stored || stored.expiresAt < now()) return refuse(409, `preview ${req.previewId} expired or was already sent: preview again`);
        if (stored.preview.originalId !== req.id) return refuse(400, `preview ${req.previewId} is for message ${stored.preview.originalId}, not ${req.id}`);
        p = stored;
      } else {
        const planned = await plan(req);
        if (!planned.ok) return planned;
        p = planned.value;
      }
      const retarget = p.preview.retarget;
      if (retarget !== null && req.confirmTarget !== true) {
        return refuse(
          400,
          `this replay goes to ${retarget.to}, not where the original went (${retarget.from}): confirm the new target ("confirmTarget": true)`,
        );
      }
      const slot = limiter.take();
      if (!slot.ok) return { ...refuse(429, 'too many replays: wait a few seconds'), retryAfterMs: slot.retryAfterMs };
      previews.delete(p.preview.previewId); // single use: ids must stay fresh

      const { preview, message } = p;
      const sentAt = now();
      const entry: ReplayAuditEntry = {
        replayId: preview.uniqueId,
        at: sentAt,
        originalId: preview.originalId,
        newId: null,
        source: preview.source,
        exchange: preview.exchange,
        routingKey: preview.routingKey,
        kind: preview.kind,
        method: preview.method,
        signed: preview.signed,
        sent: redactJsonText(preview.innerMessage).text,
        outcome: 'sent',
        detail: null,
        finishedAt: null,
        retargetedFrom: retarget?.from ?? null,
      };
      opts.capture.linkReplay(preview.uniqueId, preview.originalId);
      const record = waitForRecord(preview.uniqueId, opts.recordWaitMs ?? 3_000);
      const reply = preview.msgId !== null ? waitForReply(preview.msgId, preview.timeoutMs ?? 60_000) : null;
      let routed: boolean;
      try {
        ({ routed } = await p.broker.publish(message));
      } catch (e) {
        record.cancel();
        if (preview.msgId !== null) replyWaiters.get(preview.msgId)?.resolve(null);
        const detail = e instanceof Error ? e.message : String(e);
        audit.record({ ...entry, outcome: 'failed', detail, finishedAt: now() });
        log.warn('replay publish failed', { originalId: preview.originalId, error: detail });
        return refuse(502, `replay was not published: ${detail}`);
      }
      if (p.spec.ingest === 'none') ingestOwn(p.spec, message, sentAt);
      audit.record(entry);
      log.info('replayed a message', {
        originalId: preview.originalId,
        replayId: preview.uniqueId,
        exchange: preview.exchange,
        routingKey: preview.routingKey,
        routed,
      });
      followOutcome(p, routed, record.promise, reply);
      const id = await record.promise;
      return { ok: true, value: { id, replayId: preview.uniqueId, msgId: preview.msgId, routed } };
    },
    audit(limit) {
      return audit.list(limit);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const w of replyWaiters.values()) w.resolve(null);
      replyWaiters.clear();
      await Promise.all([...brokers.values()].map((b) => b.broker.close()));
    },
  };
}
