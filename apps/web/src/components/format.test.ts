import { describe, expect, it } from 'vitest';
import { formatTotal } from './format';

describe('formatTotal', () => {
  it('shows a capped total as a lower bound', () => {
    expect(formatTotal(10_000, true)).toBe('10,000+');
  });
  it('shows an exact total as it is', () => {
    expect(formatTotal(1234, false)).toBe('1,234');
    expect(formatTotal(0, undefined)).toBe('0');
  });
});
