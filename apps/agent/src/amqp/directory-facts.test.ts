import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDirectoryFacts } from './directory-facts.js';
import { parseConnections, parseConsumers } from './management-client.js';

const snapshot = JSON.parse(readFileSync(new URL('../../../../shared/test/fixtures/oslo-connections-snapshot.json', import.meta.url), 'utf8')) as {
  connections: unknown;
  consumers: unknown;
  server_pids: Record<string, number>;
};

describe('buildDirectoryFacts (captured management snapshot)', () => {
  const facts = buildDirectoryFacts(parseConnections(snapshot.connections), parseConsumers(snapshot.consumers));

  it('maps the round-robin consumer connections to the oslo server queues they also consume', () => {
    // fixture README: node-a's RPC listener is 127.0.0.1:54310, node-b's is :54324
    expect(facts.consumers['127.0.0.1:54310 -> 127.0.0.1:5672']).toEqual(expect.arrayContaining(['demo', 'demo.node-a']));
    expect(facts.consumers['127.0.0.1:54324 -> 127.0.0.1:5672']).toEqual(expect.arrayContaining(['demo', 'demo.node-b']));
  });

  it('maps connections to prog:pid:uuid with the servers pids', () => {
    expect(facts.processes['127.0.0.1:54310 -> 127.0.0.1:5672']).toMatch(new RegExp(`^capture_fixtures\\.py:${snapshot.server_pids['node-a']}:`));
    expect(facts.processes['127.0.0.1:54324 -> 127.0.0.1:5672']).toMatch(new RegExp(`^capture_fixtures\\.py:${snapshot.server_pids['node-b']}:`));
  });
});

describe('buildDirectoryFacts', () => {
  it('deduplicates queues and skips consumers without a connection', () => {
    const facts = buildDirectoryFacts(
      [{ name: 'c1', clientName: null, peerHost: null, user: null }],
      [
        { queue: 'b', connection: 'c1', consumerTag: '1' },
        { queue: 'a', connection: 'c1', consumerTag: '2' },
        { queue: 'a', connection: 'c1', consumerTag: '3' },
        { queue: 'x', connection: null, consumerTag: null },
      ],
    );
    expect(facts).toEqual({ processes: {}, consumers: { c1: ['a', 'b'] } });
  });
});
