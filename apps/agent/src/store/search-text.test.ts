import { describe, expect, it } from 'vitest';
import { addedSearchFields, mergeLateText, SEARCH_SEPARATOR as S } from './search-text.js';

describe('the fields a change made searchable', () => {
  it('are the whole fields of the new text the old one lacks, not parts of fields it has', () => {
    const before = ['echo', 'demo', 'node-a1'].join(S);
    expect(addedSearchFields(before, ['echo', 'demo', 'node-a1', 'node-a', 'valueerror'].join(S))).toEqual(['node-a', 'valueerror']);
    expect(addedSearchFields(before, ['echo', 'node-a1'].join(S))).toEqual([]);
    expect(addedSearchFields('', ['x'].join(S))).toEqual(['x']);
  });

  it('accumulate in a late text, each field once', () => {
    expect(mergeLateText(null, ['node-a'])).toBe('node-a');
    expect(mergeLateText(['node-a', 'valueerror'].join(S), ['node-b', 'node-a'])).toBe(['node-a', 'valueerror', 'node-b'].join(S));
  });
});
