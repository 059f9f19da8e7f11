/**
 * What we know about the agent: socket connection state, its hello and latest health.
 * Written only by connection/socket.ts.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { PROTOCOL_VERSION, type HealthReport } from '@osloscope/shared';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface AgentState {
  connection: ConnectionState;
  agentVersion: string | null;
  /** Agent's protocol version when it differs from ours (features may misbehave). */
  protocolMismatch: { agent: number; web: number } | null;
  health: HealthReport | null;
}

export function initialAgentState(): AgentState {
  return { connection: 'connecting', agentVersion: null, protocolMismatch: null, health: null };
}

export const agentStore = createStore<AgentState>()(initialAgentState);

export function useAgent<T>(selector: (s: AgentState) => T): T {
  return useStore(agentStore, selector);
}

export function protocolMismatchOf(agentProtocol: number): AgentState['protocolMismatch'] {
  return agentProtocol === PROTOCOL_VERSION ? null : { agent: agentProtocol, web: PROTOCOL_VERSION };
}
