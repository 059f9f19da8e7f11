/**
 * Keeps the filter in the URL query string so a link reproduces the view. The
 * (de)serialisation is shared's, so the agent's HTTP API reads the same query.
 */
import { filterFromSearchParams, filterToSearchParams, type EnvelopeFilter } from '@osloscope/shared';
import { uiStore } from './ui-store';

/** Reads the filter from a query string (`?exchange=nova&topic=compute`). */
export function filterFromQuery(search: string): EnvelopeFilter {
  return filterFromSearchParams([...new URLSearchParams(search)]);
}

/** Query string (with `?`, or `''` when empty) for a filter. */
export function queryFromFilter(filter: EnvelopeFilter): string {
  const qs = new URLSearchParams(filterToSearchParams(filter)).toString();
  return qs === '' ? '' : `?${qs}`;
}

/**
 * Loads the filter from the location, then mirrors every change back with pushState
 * (so Back undoes a graph click) and follows Back/Forward. Returns an unsubscribe.
 */
export function syncFilterWithUrl(win: Window = window): () => void {
  uiStore.setState({ filter: filterFromQuery(win.location.search) });
  const unsubscribe = uiStore.subscribe((s, prev) => {
    if (s.filter === prev.filter) return;
    const query = queryFromFilter(s.filter);
    if (query !== win.location.search) {
      win.history.pushState(null, '', `${win.location.pathname}${query}${win.location.hash}`);
    }
  });
  const onPop = (): void => uiStore.setState({ filter: filterFromQuery(win.location.search) });
  win.addEventListener('popstate', onPop);
  return () => {
    unsubscribe();
    win.removeEventListener('popstate', onPop);
  };
}
