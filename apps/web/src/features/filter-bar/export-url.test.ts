import { describe, expect, it } from 'vitest';
import { exportUrlFor } from './FilterBar';

describe('export link', () => {
  it('asks the agent for exactly what the filter selects, with the same query as the page URL', () => {
    expect(exportUrlFor({})).toBe('/api/export');
    expect(exportUrlFor({ exchange: 'nova', topic: 'compute', outcome: 'error' })).toBe('/api/export?exchange=nova&topic=compute&outcome=error');
  });
});
