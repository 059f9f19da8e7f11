import { describe, expect, it } from 'vitest';
import { createConnectionDirectory, serverFromQueues } from './in-memory-connection-directory.js';

describe('server behind a set of consumed queues', () => {
  it('names the server when the topic (or its fanout) queue is consumed on the same connection', () => {
    expect(serverFromQueues(['demo', 'demo.node-a', 'demo_fanout_c714412591334f11a08d5f8a61897c60'])).toBe('node-a');
    expect(serverFromQueues(['demo.node-b', 'demo_fanout_273fb5511e144a2a820c894baa5bea0c'])).toBe('node-b');
    expect(serverFromQueues(['compute.cells', 'compute.cells.host-1'])).toBe('host-1');
  });

  it('does not mistake a notification listener for a server', () => {
    expect(serverFromQueues(['notifications.info', 'notifications.error'])).toBeNull();
    expect(serverFromQueues(['reply_241f701b35c04f16b8c28f0e4e67dd18'])).toBeNull();
  });
});

describe('connection directory', () => {
  const conn = '127.0.0.1:54324 -> 127.0.0.1:5672';

  it('learns a server from deliveries and keeps it across management updates', () => {
    const d = createConnectionDirectory();
    d.learnDelivery('s', conn, 'demo');
    expect(d.serverFor('s', conn)).toBeNull();
    d.learnDelivery('s', conn, 'demo.node-b');
    expect(d.serverFor('s', conn)).toBe('node-b');
    d.updateFromManagement('s', { processes: { [conn]: 'nova-compute:12194:x' }, consumers: {} });
    expect(d.serverFor('s', conn)).toBe('node-b');
    expect(d.processFor('s', conn)).toBe('nova-compute:12194:x');
    expect(d.serverFor('other-source', conn)).toBeNull();
  });

  it('remembers at most 10,000 connections learned from deliveries: the oldest are forgotten, the newest still named', () => {
    const d = createConnectionDirectory();
    const churned = (i: number) => `10.1.${i >> 8}.${i & 255}:41000 -> 10.0.0.1:5672`;
    for (let i = 0; i < 10_050; i++) {
      // An RPC server's connection consumes its topic queue and its own `<topic>.<server>` queue.
      d.learnDelivery('s', churned(i), 'demo');
      d.learnDelivery('s', churned(i), `demo.node-${i}`);
    }
    expect(d.serverFor('s', churned(0))).toBeNull();
    expect(d.serverFor('s', churned(49))).toBeNull();
    expect(d.serverFor('s', churned(50))).toBe('node-50');
    expect(d.serverFor('s', churned(10_049))).toBe('node-10049');
  });

  it('replaces what the management API said on each update', () => {
    const d = createConnectionDirectory();
    d.updateFromManagement('s', { processes: {}, consumers: { [conn]: ['demo', 'demo.node-a'] } });
    expect(d.serverFor('s', conn)).toBe('node-a');
    d.updateFromManagement('s', { processes: {}, consumers: { [conn]: ['demo', 'demo.node-c'] } });
    expect(d.serverFor('s', conn)).toBe('node-c');
  });
});

describe('connection directory: last known names', () => {
  const conn = '127.0.0.1:54310 -> 127.0.0.1:5672';
  const process = 'rpc_server.py:12190:0f6c';

  it('still names a server and process after the management API stops listing the connection', () => {
    const d = createConnectionDirectory();
    // node-a never got a direct message: only the management API can name its connection.
    d.learnDelivery('s', conn, 'demo');
    expect(d.serverFor('s', conn)).toBeNull();
    d.updateFromManagement('s', { processes: { [conn]: process }, consumers: { [conn]: ['demo', 'demo.node-a'] } });
    // The servers exit before anything asked about the connection.
    d.updateFromManagement('s', { processes: {}, consumers: {} });
    expect(d.serverFor('s', conn)).toBe('node-a');
    expect(d.processFor('s', conn)).toBe(process);
    expect(d.serverFor('other-source', conn)).toBeNull();
  });

  it('advances its revision only when it learns a new name', () => {
    const d = createConnectionDirectory();
    const r0 = d.revision?.() ?? -1;
    d.learnDelivery('s', conn, 'demo');
    expect(d.revision?.()).toBe(r0);
    d.learnDelivery('s', conn, 'demo.node-a');
    const r1 = d.revision?.() ?? -1;
    expect(r1).toBeGreaterThan(r0);
    d.updateFromManagement('s', { processes: {}, consumers: { [conn]: ['demo', 'demo.node-a'] } });
    expect(d.revision?.()).toBe(r1); // nothing new
    d.updateFromManagement('s', { processes: { [conn]: process }, consumers: {} });
    expect(d.revision?.()).toBeGreaterThan(r1);
  });
});
