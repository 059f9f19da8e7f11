/**
 * Type-level tests of the socket.io protocol. `expectTypeOf` is checked by the compiler
 * (`npx tsc -p tsconfig.tests.json`); at run time these tests only prove the file loads.
 */
import type { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EnvelopeFilter } from '../filter-types.js';
import type { FlowAggregate, VersionReport } from '../flows.js';
import type { HealthReport } from '../health.js';
import type { CaptureGap, EnvelopeDetail, EnvelopeRecord } from '../record.js';
import {
  PROTOCOL_VERSION,
  type Ack,
  type AckResult,
  type AgentHello,
  type ClientToServerEvents,
  type EnvelopeBatch,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
  type SubscribeRequest,
  type SubscribeResult,
} from './events.js';

/** Types that do not survive socket.io's JSON-like encoding unchanged. */
type NotWire = Date | Map<unknown, unknown> | Set<unknown> | RegExp | bigint | symbol | ((...args: never[]) => unknown);

/** The offending member types inside T (never when T is plain wire data). */
type WireIssues<T, Depth extends unknown[] = []> = Depth['length'] extends 12
  ? never
  : T extends NotWire
    ? T
    : T extends readonly (infer U)[]
      ? WireIssues<U, [...Depth, unknown]>
      : T extends object
        ? { [K in keyof T]-?: WireIssues<T[K], [...Depth, unknown]> }[keyof T]
        : never;

type ServerPayload<K extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[K]>[0];
type ClientRequest<K extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[K]>[0];
type ClientAck<K extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[K]>[1];

describe('protocol events (types)', () => {
  it('has a positive integer protocol version', () => {
    expectTypeOf(PROTOCOL_VERSION).toBeNumber();
    expect(Number.isInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION > 0).toBe(true);
  });

  it('names exactly the agent → web events', () => {
    expectTypeOf<keyof ServerToClientEvents>().toEqualTypeOf<'hello' | 'envelopes:batch' | 'health:update' | 'capture:gap'>();
    expectTypeOf<ServerPayload<'hello'>>().toEqualTypeOf<AgentHello>();
    expectTypeOf<ServerPayload<'envelopes:batch'>>().toEqualTypeOf<EnvelopeBatch>();
    expectTypeOf<ServerPayload<'health:update'>>().toEqualTypeOf<HealthReport>();
    expectTypeOf<ServerPayload<'capture:gap'>>().toEqualTypeOf<CaptureGap>();
    expectTypeOf<AgentHello['health']>().toEqualTypeOf<HealthReport>();
    expectTypeOf<EnvelopeBatch['items']>().toEqualTypeOf<EnvelopeRecord[]>();
  });

  it('pairs each web → agent request with its acknowledged value', () => {
    expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<'stream:subscribe' | 'envelope:get' | 'flows:get' | 'versions:get'>();
    expectTypeOf<ClientRequest<'stream:subscribe'>>().toEqualTypeOf<SubscribeRequest>();
    expectTypeOf<ClientAck<'stream:subscribe'>>().toEqualTypeOf<Ack<SubscribeResult>>();
    expectTypeOf<ClientRequest<'envelope:get'>>().toEqualTypeOf<number>();
    expectTypeOf<ClientAck<'envelope:get'>>().toEqualTypeOf<Ack<EnvelopeDetail>>();
    expectTypeOf<ClientRequest<'flows:get'>>().toEqualTypeOf<EnvelopeFilter>();
    expectTypeOf<ClientAck<'flows:get'>>().toEqualTypeOf<Ack<FlowAggregate[]>>();
    expectTypeOf<ClientRequest<'versions:get'>>().toEqualTypeOf<EnvelopeFilter>();
    expectTypeOf<ClientAck<'versions:get'>>().toEqualTypeOf<Ack<VersionReport[]>>();
  });

  it('acks carry either a value or an error, narrowed by `ok`', () => {
    expectTypeOf<Parameters<Ack<number>>[0]>().toEqualTypeOf<AckResult<number>>();
    const narrow = (res: AckResult<EnvelopeDetail>): string => (res.ok ? String(res.value.id) : res.error);
    expectTypeOf(narrow).returns.toBeString();
    // @ts-expect-error a failed ack has no value
    const bad: AckResult<number> = { ok: false, value: 1 };
    void bad;
  });

  it('subscription history limit is optional and the filter required', () => {
    expectTypeOf<SubscribeRequest>().toExtend<{ filter: EnvelopeFilter }>();
    expectTypeOf<{ filter: EnvelopeFilter }>().toExtend<SubscribeRequest>();
    expectTypeOf<SocketData['filter']>().toEqualTypeOf<EnvelopeFilter>();
  });

  it('sends only wire data (no Date, Map, Set, bigint or functions in payloads)', () => {
    expectTypeOf<WireIssues<ServerPayload<keyof ServerToClientEvents>>>().toBeNever();
    expectTypeOf<WireIssues<ClientRequest<keyof ClientToServerEvents>>>().toBeNever();
    expectTypeOf<WireIssues<AckResult<EnvelopeDetail | FlowAggregate[] | VersionReport[]>>>().toBeNever();
    // the checker itself does catch non-wire members
    expectTypeOf<WireIssues<{ a: { at: Date } }>>().toEqualTypeOf<Date>();
  });

  it('plugs into socket.io server and client generics', () => {
    type AgentServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
    type WebSocket = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

    const agentSide = (io: AgentServer): void => {
      io.on('connection', (socket) => {
        expectTypeOf(socket.data.filter).toEqualTypeOf<EnvelopeFilter>();
        socket.on('envelope:get', (id, ack) => {
          expectTypeOf(id).toBeNumber();
          ack({ ok: false, error: `no envelope ${id}` });
        });
        socket.on('stream:subscribe', (req, ack) => {
          expectTypeOf(req.historyLimit).toEqualTypeOf<number | undefined>();
          ack({ ok: true, value: { total: 0 } });
        });
        socket.emit('capture:gap', { source: 'rabbit1', from: 0, to: null, reason: 'broker restarted' });
        // @ts-expect-error not a protocol event
        socket.emit('envelopes:deleted', []);
        // @ts-expect-error wrong payload for hello
        socket.emit('hello', { protocolVersion: PROTOCOL_VERSION });
      });
    };

    const webSide = (socket: WebSocket): void => {
      socket.on('envelopes:batch', (batch) => {
        expectTypeOf(batch.updates).toEqualTypeOf<EnvelopeRecord[]>();
      });
      socket.emit('versions:get', { topic: 'compute' }, (res) => {
        if (res.ok) expectTypeOf(res.value).toEqualTypeOf<VersionReport[]>();
      });
      // @ts-expect-error envelope ids are numbers
      socket.emit('envelope:get', '42', () => undefined);
    };

    expectTypeOf(agentSide).toBeFunction();
    expectTypeOf(webSide).toBeFunction();
  });
});
