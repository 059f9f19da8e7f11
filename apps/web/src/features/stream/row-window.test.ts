import { describe, expect, it } from 'vitest';
import { rowWindow, scrollTopFor } from './row-window';

describe('rowWindow', () => {
  it('renders the rows on screen plus the overscan', () => {
    // 240 px viewport of 24 px rows at the top: rows 0..9, plus 3 below.
    expect(rowWindow(0, 240, 20_000, 24, 3)).toEqual({ start: 0, end: 13 });
    // Scrolled to row 100 (partly into it): rows 100..110 on screen.
    expect(rowWindow(2412, 240, 20_000, 24, 3)).toEqual({ start: 97, end: 114 });
  });
  it('clamps to the list', () => {
    expect(rowWindow(0, 240, 5, 24, 3)).toEqual({ start: 0, end: 5 });
    expect(rowWindow(10_000, 240, 5, 24, 3)).toEqual({ start: 5, end: 5 });
    expect(rowWindow(0, 240, 0, 24, 3)).toEqual({ start: 0, end: 0 });
  });
});

describe('scrollTopFor', () => {
  it('scrolls only as far as needed to show the row', () => {
    expect(scrollTopFor(5, 0, 240, 24)).toBeNull();
    expect(scrollTopFor(20, 0, 240, 24)).toBe(21 * 24 - 240);
    expect(scrollTopFor(2, 240, 240, 24)).toBe(48);
  });
});
