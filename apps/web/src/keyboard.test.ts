import { describe, expect, it } from 'vitest';
import { shortcutFor } from './keyboard';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('shortcutFor', () => {
  it('maps the documented keys', () => {
    expect(shortcutFor(key('/'), false)).toBe('focus-filter');
    expect(shortcutFor(key(' '), false)).toBe('toggle-pause');
    expect(shortcutFor(key('j'), false)).toBe('next');
    expect(shortcutFor(key('k'), false)).toBe('previous');
    expect(shortcutFor(key('Enter'), false)).toBe('open');
    expect(shortcutFor(key('Escape'), false)).toBe('close');
  });

  it('leaves typing alone: space, j, k and / go to the input', () => {
    for (const k of [' ', 'j', 'k', '/', 'Enter']) expect(shortcutFor(key(k), true)).toBeNull();
  });

  it('ignores browser shortcuts with modifiers', () => {
    expect(shortcutFor(key('k', { ctrlKey: true }), false)).toBeNull();
  });
});
