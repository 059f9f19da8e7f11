import { describe, expect, it } from 'vitest';
import { filterFromQuery, queryFromFilter } from './url-filter';

describe('filter in the URL', () => {
  it('round-trips every field so a link reproduces the view', () => {
    const filter = {
      exchange: 'nova',
      topic: 'compute',
      server: 'cmp-7',
      namespace: '',
      method: 'build_and_run_instance',
      version: '6.2',
      kind: 'call' as const,
      outcome: 'error' as const,
      signature: 'failed' as const,
      text: 'No valid host',
    };
    const q = queryFromFilter(filter);
    expect(q.startsWith('?exchange=nova&topic=compute&server=cmp-7')).toBe(true);
    expect(filterFromQuery(q)).toEqual(filter);
  });

  it('gives an empty query for an empty filter and ignores junk', () => {
    expect(queryFromFilter({})).toBe('');
    expect(filterFromQuery('?kind=bogus&utm=1&topic=demo')).toEqual({ topic: 'demo' });
  });
});
