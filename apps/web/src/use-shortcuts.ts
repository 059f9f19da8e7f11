import { useEffect } from 'react';
import { isTypingTarget, shortcutFor } from './keyboard';
import { isPaused, liveStore, pauseLive, resumeLive } from './stores/live-store';
import { moveSelection } from './stores/selectors';
import { openDetail, selectMessage, uiStore } from './stores/ui-store';
import { currentVisibleIds } from './stores/visible-rows';

/** Installs the global keyboard shortcuts for the app's lifetime. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e, isTypingTarget(e.target));
      if (!action) return;
      // Buttons handle their own Enter/space.
      if ((action === 'open' || action === 'toggle-pause') && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      const ui = uiStore.getState();
      switch (action) {
        case 'focus-filter':
          document.getElementById('filter-text')?.focus();
          break;
        case 'toggle-pause':
          if (isPaused(liveStore.getState())) resumeLive();
          else pauseLive();
          break;
        case 'next':
        case 'previous':
          selectMessage(moveSelection(currentVisibleIds(), ui.selectedId, action === 'next' ? 1 : -1));
          break;
        case 'open':
          if (ui.selectedId !== null) openDetail(ui.selectedId);
          break;
        case 'close':
          openDetail(null);
          break;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
