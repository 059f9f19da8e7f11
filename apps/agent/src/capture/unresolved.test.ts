import { describe, expect, it } from 'vitest';
import { UnresolvedRecords } from './unresolved.js';

describe('records waiting for a connection to be named', () => {
  it('hands back the records of the connections the directory can answer, once', () => {
    const u = new UnresolvedRecords(100);
    u.add('server', 's', 'conn-a', 1);
    u.add('server', 's', 'conn-a', 2);
    u.add('process', 's', 'conn-a', 2);
    u.add('server', 's', 'conn-b', 3);
    const known = (want: string, _source: string, connection: string) => want === 'server' && connection === 'conn-a';
    expect([...u.takeAnswered(known)]).toEqual([1, 2]);
    expect([...u.takeAnswered(known)]).toEqual([]);
    expect(u.size).toBe(2);
  });

  it('stays bounded, forgetting the connections that waited longest', () => {
    const u = new UnresolvedRecords(3);
    for (let id = 1; id <= 5; id++) u.add('server', 's', `conn-${id}`, id);
    expect(u.size).toBe(3);
    expect([...u.takeAnswered(() => true)].sort()).toEqual([3, 4, 5]);
    expect(u.size).toBe(0);
  });
});
