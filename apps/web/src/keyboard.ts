/** Keyboard shortcuts: `/` filter, space pause, j/k move, Enter open, Esc close. */

export type ShortcutAction = 'focus-filter' | 'toggle-pause' | 'next' | 'previous' | 'open' | 'close';

export interface KeyInfo {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * Maps a key press to an action. While typing in an input only Esc acts (it leaves the
 * field to the input's own handler), so space and letters type normally.
 */
export function shortcutFor(e: KeyInfo, typing: boolean): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (typing) return null;
  switch (e.key) {
    case '/':
      return 'focus-filter';
    case ' ':
      return 'toggle-pause';
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'previous';
    case 'Enter':
      return 'open';
    case 'Escape':
      return 'close';
    default:
      return null;
  }
}

/** Whether keys go to a text field (or another control that uses them). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable === true;
}
