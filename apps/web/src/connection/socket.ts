/**
 * The only socket.io-client import. Connects to the agent (same origin), feeds the live
 * store through the frame batcher, keeps the subscription in step with the URL filter,
 * and offers typed request helpers (acks with a timeout) to the features.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, EnvelopeDetail, EnvelopeFilter, FlowAggregate, ServerToClientEvents, VersionReport } from '@osloscope/shared';
import { agentStore, protocolMismatchOf } from '../stores/agent-store';
import { receiveLiveEvents, resetLiveBuffer, setMatchingTotal, type LiveEvent } from '../stores/live-store';
import { uiStore } from '../stores/ui-store';
import { createFrameBatcher } from './frame-batcher';

type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const HISTORY_LIMIT = 2000;
const ACK_TIMEOUT_MS = 10_000;

let socket: AgentSocket | null = null;
let subscribeGeneration = 0;

const batcher = createFrameBatcher<LiveEvent>((events) => receiveLiveEvents(events));

function subscribe(s: AgentSocket, filter: EnvelopeFilter): void {
  // Drop what is queued for the old filter, then start over: the agent re-sends matching history.
  batcher.flushNow();
  resetLiveBuffer();
  const generation = ++subscribeGeneration;
  s.emit('stream:subscribe', { filter, historyLimit: HISTORY_LIMIT }, (res) => {
    // An ack for a filter the operator has since replaced must not overwrite the new one's.
    if (!res.ok || generation !== subscribeGeneration) return;
    setMatchingTotal(res.value.total, res.value.totalCapped === true);
  });
}

/** Opens the connection once; safe to call again. */
export function connectToAgent(): void {
  if (socket) return;
  const s: AgentSocket = io({ transports: ['websocket', 'polling'] });
  socket = s;

  s.on('connect', () => {
    agentStore.setState({ connection: 'connected' });
    subscribe(s, uiStore.getState().filter);
  });
  s.on('disconnect', (reason) => {
    // Server-side disconnects are not retried by socket.io; everything else is.
    agentStore.setState({ connection: reason === 'io server disconnect' ? 'disconnected' : 'reconnecting' });
    if (reason === 'io server disconnect') s.connect();
  });
  s.io.on('reconnect_attempt', () => agentStore.setState({ connection: 'reconnecting' }));
  s.io.on('reconnect_failed', () => agentStore.setState({ connection: 'disconnected' }));
  s.on('connect_error', () => {
    agentStore.setState({ connection: s.active ? 'reconnecting' : 'disconnected' });
  });

  s.on('hello', (hello) => {
    agentStore.setState({
      agentVersion: hello.agentVersion,
      protocolMismatch: protocolMismatchOf(hello.protocolVersion),
      health: hello.health,
    });
  });
  s.on('health:update', (health) => agentStore.setState({ health }));
  s.on('envelopes:batch', (batch) => batcher.push({ type: 'batch', batch }));
  s.on('capture:gap', (gap) => batcher.push({ type: 'gap', gap }));

  // Resubscribe whenever the filter changes (the URL and every view follow the same filter).
  let lastFilter = uiStore.getState().filter;
  uiStore.subscribe((ui) => {
    if (ui.filter === lastFilter) return;
    lastFilter = ui.filter;
    if (s.connected) subscribe(s, ui.filter);
  });
}

async function request<T>(send: (s: AgentSocket) => Promise<{ ok: true; value: T } | { ok: false; error: string }>): Promise<T> {
  if (!socket?.connected) throw new Error('not connected to the agent');
  const res = await send(socket.timeout(ACK_TIMEOUT_MS));
  if (!res.ok) throw new Error(res.error);
  return res.value;
}

/** Full message (raw body, broker facts); falls back to the HTTP API when the socket is down. */
export async function fetchEnvelope(id: number): Promise<EnvelopeDetail> {
  if (socket?.connected) return request((s) => s.emitWithAck('envelope:get', id));
  const res = await fetch(`/api/envelopes/${id}`);
  if (!res.ok) throw new Error(`agent answered ${res.status} for message ${id}`);
  return (await res.json()) as EnvelopeDetail;
}

export function fetchVersions(filter: EnvelopeFilter): Promise<VersionReport[]> {
  return request((s) => s.emitWithAck('versions:get', filter));
}

export function fetchFlows(filter: EnvelopeFilter): Promise<FlowAggregate[]> {
  return request((s) => s.emitWithAck('flows:get', filter));
}
