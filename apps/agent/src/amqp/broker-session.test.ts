import { parseTransportUrl } from '@osloscope/shared';
import { describe, expect, it } from 'vitest';
import { scrubError } from './broker-session.js';

describe('scrubError', () => {
  const url = parseTransportUrl('rabbit://nova:Sup3rSecret@h1:5672,nova:0therSecret@h2:5672/nova');

  it('masks URL credentials and any host password in broker error text', () => {
    const e = new Error('connect failed for amqp://nova:Sup3rSecret@h1:5672/nova (password 0therSecret rejected)');
    const text = scrubError(e, url);
    expect(text).not.toContain('Sup3rSecret');
    expect(text).not.toContain('0therSecret');
    expect(text).toContain('h1:5672');
  });

  it('keeps ordinary error text', () => {
    expect(scrubError(new Error('connect ECONNREFUSED 127.0.0.1:5672'), url)).toBe('connect ECONNREFUSED 127.0.0.1:5672');
    expect(scrubError('plain', url)).toBe('plain');
  });
});
