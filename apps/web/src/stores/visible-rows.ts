/**
 * The stream's visible rows: one memoized selector shared by the table and the keyboard
 * shortcuts, so j/k move over exactly the rows the table shows.
 */
import { liveRecords, liveStore, useLive } from './live-store';
import { createVisibleIdsSelector, type RowList } from './selectors';
import { uiStore, useUi } from './ui-store';

const selectVisibleIds = createVisibleIdsSelector(liveRecords);

/** The rows for the current filter, newest first; re-renders when they change. */
export function useVisibleIds(): RowList {
  const filter = useUi((s) => s.filter);
  return useLive((s) => selectVisibleIds(s, filter));
}

/** The same rows, read outside React render (keyboard navigation). */
export function currentVisibleIds(): RowList {
  return selectVisibleIds(liveStore.getState(), uiStore.getState().filter);
}
