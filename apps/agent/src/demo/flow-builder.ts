/**
 * oslo.messaging RPC as the simulated processes do it: calls, casts, fanouts, replies
 * (incl. heartbeats and remote failures) and notifications, each encoded with the shared
 * encoder, optionally signed, and turned into firehose trace events by the SimBroker.
 */
import {
  encodeNotification,
  encodeReply,
  encodeRequest,
  osloTimestamp,
  requestInnerText,
  type AmqpProperties,
  type RemoteFailure,
  type RequestToEncode,
} from '@osloscope/shared';
import { DemoSigner, type SignFault } from './demo-signer.js';
import type { Rng } from './rng.js';
import type { SimBroker, TimedEvent } from './sim-broker.js';
import { DEMO_EXCHANGE, type SimProcess } from './topology.js';

/**
 * `auto`: signed when the agent's key ring has the destination, else plain. `sign`: always
 * signed (also for destinations without an agent key). `none`: never. The faults sign
 * and then break it.
 */
export type SignMode = 'auto' | 'sign' | 'none' | Exclude<SignFault, 'none'>;

export interface RequestSpec {
  topic: string;
  server?: string;
  fanout?: boolean;
  namespace?: string;
  version?: string;
  method: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  sign?: SignMode;
  /** misroute: the destination the signature claims. */
  claimedDestination?: string;
  /** tamper: args actually sent after signing. */
  tamperedArgs?: Record<string, unknown>;
  /** Encrypt the signed message (message-signing.md §5). */
  encrypt?: boolean;
}

export interface CallSpec extends RequestSpec {
  /** AMQP expiration (the call timeout). @default 60000 */
  timeoutMs?: number;
  /** `_timeout`: the server sends heartbeats every callMonitorTimeout/2 s. */
  callMonitorTimeout?: number;
}

export interface SentCall {
  msgId: string;
  replyQueue: string;
  /** Server that took it (null: unroutable). */
  server: SimProcess | null;
  deliveredAt: number;
  /** The published body (to publish it again: a replay). */
  body: Uint8Array;
}

export interface SentCast {
  deliveredTo: SimProcess[];
  deliveredAt: number;
  body: Uint8Array;
  exchange: string;
  routingKey: string;
  properties: AmqpProperties;
}

export class FlowBuilder {
  readonly events: TimedEvent[] = [];
  private readonly signer: DemoSigner;

  constructor(
    private readonly rng: Rng,
    private readonly broker: SimBroker,
    private readonly keyNames: ReadonlySet<string>,
  ) {
    this.signer = new DemoSigner(rng);
  }

  call(at: number, from: SimProcess, spec: CallSpec): SentCall {
    if (!from.replyQueue) throw new Error(`${from.host} has no reply queue`);
    const msgId = this.rng.uuidHex();
    const req: RequestToEncode = {
      ...this.requestFields(spec),
      msgId,
      replyQueue: from.replyQueue,
      callMonitorTimeout: spec.callMonitorTimeout ?? null,
      timeoutMs: spec.timeoutMs ?? 60_000,
    };
    const sent = this.publishRequest(at, from, req, spec);
    return { msgId, replyQueue: from.replyQueue, server: sent.deliveredTo[0] ?? null, deliveredAt: sent.deliveredAt, body: sent.body };
  }

  cast(at: number, from: SimProcess, spec: RequestSpec): SentCast {
    return this.publishRequest(at, from, this.requestFields(spec), spec);
  }

  /** The final reply (result or failure) from `server`, `latencyMs` after delivery. */
  reply(server: SimProcess, call: SentCall, at: number, outcome: { result?: unknown; failure?: RemoteFailure }): number {
    const message = encodeReply({
      replyQueue: call.replyQueue,
      msgId: call.msgId,
      uniqueId: this.rng.uuidHex(),
      result: outcome.result ?? null,
      failure: outcome.failure ?? null,
      ending: true,
    });
    this.events.push(...this.broker.publish({ from: server, ...message }, at).events);
    return at + 1;
  }

  /** A call-monitor heartbeat (`ending: false`). */
  heartbeat(server: SimProcess, call: SentCall, at: number): void {
    const message = encodeReply({ replyQueue: call.replyQueue, msgId: call.msgId, uniqueId: this.rng.uuidHex(), ending: false });
    this.events.push(...this.broker.publish({ from: server, ...message }, at).events);
  }

  notify(
    at: number,
    from: SimProcess,
    n: { priority: 'INFO' | 'ERROR' | 'WARN'; eventType: string; payload: unknown; context: Record<string, unknown> },
  ): void {
    const message = encodeNotification({
      exchange: DEMO_EXCHANGE,
      topic: 'notifications',
      priority: n.priority,
      eventType: n.eventType,
      publisherId: `${from.kind}.${from.host}`,
      payload: n.payload,
      messageId: this.rng.uuid(),
      timestamp: osloTimestamp(at),
      // oslo filters the notification context through a whitelist that drops the token.
      context: { ...n.context, auth_token: null },
      uniqueId: this.rng.uuidHex(),
    });
    this.events.push(...this.broker.publish({ from, ...message }, at).events);
  }

  /** Publish bytes seen before again, unchanged (a replayed message). */
  republish(at: number, from: SimProcess, cast: SentCast): void {
    const { exchange, routingKey, properties, body } = cast;
    this.events.push(...this.broker.publish({ from, exchange, routingKey, properties, body }, at).events);
  }

  private requestFields(spec: RequestSpec): RequestToEncode {
    return {
      exchange: DEMO_EXCHANGE,
      topic: spec.topic,
      server: spec.server ?? null,
      fanout: spec.fanout ?? false,
      namespace: spec.namespace ?? null,
      version: spec.version ?? null,
      method: spec.method,
      args: spec.args,
      context: spec.context,
      uniqueId: this.rng.uuidHex(),
    };
  }

  private publishRequest(at: number, from: SimProcess, req: RequestToEncode, spec: RequestSpec): SentCast {
    const message = encodeRequest(req);
    const body = this.maybeSign(at, from, req, spec) ?? message.body;
    const result = this.broker.publish({ from, ...message, body }, at);
    this.events.push(...result.events);
    return {
      deliveredTo: result.deliveredTo,
      deliveredAt: result.events.at(-1)?.at ?? at,
      body,
      exchange: message.exchange,
      routingKey: message.routingKey,
      properties: message.properties,
    };
  }

  private maybeSign(at: number, from: SimProcess, req: RequestToEncode, spec: RequestSpec): Uint8Array | null {
    const destination = spec.fanout || !spec.server ? spec.topic : `${spec.topic}.${spec.server}`;
    const mode = spec.sign ?? 'auto';
    if (mode === 'none' || (mode === 'auto' && !this.keyNames.has(destination))) return null;
    const innerText = requestInnerText(req);
    const text = this.signer.sign({
      innerText,
      source: `${from.kind}.${from.host}`,
      destination,
      at,
      fault: mode === 'auto' || mode === 'sign' ? 'none' : mode,
      ...(spec.encrypt === true ? { encrypt: true } : {}),
      ...(spec.claimedDestination !== undefined ? { claimedDestination: spec.claimedDestination } : {}),
      ...(spec.tamperedArgs !== undefined ? { tamperedInnerText: requestInnerText({ ...req, args: spec.tamperedArgs }) } : {}),
    });
    return Buffer.from(text, 'utf8');
  }
}
