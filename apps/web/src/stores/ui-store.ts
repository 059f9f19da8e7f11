/**
 * UI state: the filter (mirrored in the URL by url-filter.ts), the selected and opened
 * message, the active tab and which server pools are expanded. Written by components and
 * keyboard shortcuts; never by the socket.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { EnvelopeFilter, FilterField } from '@osloscope/shared';

export type MainTab = 'graph' | 'versions';

export interface UiState {
  filter: EnvelopeFilter;
  /** Row highlighted by click or j/k. */
  selectedId: number | null;
  /** Message open in the detail panel. */
  detailId: number | null;
  tab: MainTab;
  /** Target keys whose server pool is expanded in the graph. */
  expandedPools: string[];
}

export function initialUiState(filter: EnvelopeFilter = {}): UiState {
  return { filter, selectedId: null, detailId: null, tab: 'graph', expandedPools: [] };
}

export const uiStore = createStore<UiState>()(() => initialUiState());

/** Hook for components: narrow selectors only. */
export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(uiStore, selector);
}

/** Sets (or with `undefined`/`''`, clears) one filter field. Empty fields never linger in the URL. */
export function setFilterField(field: FilterField, value: string | undefined): void {
  const next: Record<string, string> = { ...(uiStore.getState().filter as Record<string, string>) };
  if (value === undefined || value === '') delete next[field];
  else next[field] = value;
  uiStore.setState({ filter: next as EnvelopeFilter });
}

/** Replaces several filter fields at once (graph clicks), keeping the others. */
export function mergeFilter(patch: EnvelopeFilter): void {
  const next: Record<string, unknown> = { ...uiStore.getState().filter };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  uiStore.setState({ filter: next as EnvelopeFilter });
}

export function clearFilter(): void {
  uiStore.setState({ filter: {} });
}

export function selectMessage(id: number | null): void {
  uiStore.setState({ selectedId: id });
}

export function openDetail(id: number | null): void {
  uiStore.setState(id === null ? { detailId: null } : { detailId: id, selectedId: id });
}

export function setTab(tab: MainTab): void {
  uiStore.setState({ tab });
}

export function togglePool(targetKey: string): void {
  const { expandedPools } = uiStore.getState();
  uiStore.setState({
    expandedPools: expandedPools.includes(targetKey) ? expandedPools.filter((k) => k !== targetKey) : [...expandedPools, targetKey],
  });
}
