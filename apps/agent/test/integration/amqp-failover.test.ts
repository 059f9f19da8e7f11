/**
 * Failover and degraded setups against the real local RabbitMQ: a multi-host URL whose
 * first host is dead, an unreachable broker, and a user the management API refuses.
 */
import { parseTransportUrl } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerSession } from '../../src/amqp/broker-session.js';
import { createFirehoseSource } from '../../src/amqp/firehose-source.js';
import { createTestVhost, managementRequest, setTracing, vhostSegment, type TestVhost } from '../support/management.js';
import { recordingCapture, recordingDirectory, recordingLog, waitFor, silentLogger } from './amqp-helpers.js';

let vhost: TestVhost;
const USER = `osloscope-nomgmt-${process.pid}`;
const PASS = 'n0-mgmt-pass';

beforeAll(async () => {
  vhost = await createTestVhost('amqp-failover');
  // A broker user without any management tag: AMQP works, the management API answers 401.
  await managementRequest('PUT', `/api/users/${encodeURIComponent(USER)}`, { password: PASS, tags: '' });
  await managementRequest('PUT', `/api/permissions/${vhostSegment(vhost.name)}/${encodeURIComponent(USER)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
});
afterAll(async () => {
  await managementRequest('DELETE', `/api/users/${encodeURIComponent(USER)}`).catch(() => undefined);
  await vhost?.cleanup();
});

describe('failover', () => {
  it('moves on from a dead host to the next one of a multi-host URL', async () => {
    const seg = vhostSegment(vhost.name);
    const url = parseTransportUrl(`rabbit://guest:guest@127.0.0.1:1,guest:guest@127.0.0.1:5672/${seg}`);
    const { lines, log } = recordingLog();
    const setups: number[] = [];
    // random() = 0.99 keeps the order: the dead host is tried first.
    const session = createBrokerSession({
      name: 'it-failover',
      url,
      capture: recordingCapture(),
      log,
      reconnect: { initialMs: 50, maxMs: 200 },
      random: () => 0.99,
      setup: async (_conn, ctx) => void setups.push(ctx.hostIndex),
    });
    await session.start();
    await waitFor('connected to the live host', () => session.snapshot().state === 'connected');
    expect(session.snapshot().host).toBe('127.0.0.1:5672');
    expect(setups).toEqual([1]);
    expect(lines.some((l) => l.level === 'warn' && l.fields?.['host'] === '127.0.0.1:1')).toBe(true);
    expect(session.snapshot().lastError).toMatch(/ECONNREFUSED/);
    await session.stop();
    expect(session.snapshot().state).toBe('stopped');
  });

  it('keeps retrying an unreachable broker without crashing and stops promptly', async () => {
    const capture = recordingCapture();
    const source = createFirehoseSource({
      name: 'it-down',
      transportUrl: 'rabbit://guest:s3cretpw@127.0.0.1:1/',
      capture,
      directory: recordingDirectory(),
      log: silentLogger,
      reconnect: { initialMs: 50, maxMs: 100 },
    });
    await source.start();
    const h = source.health();
    expect(h.state).toBe('connecting');
    expect(h.url).toBe('rabbit://guest:***@127.0.0.1:1/');
    expect(h.lastError).toMatch(/ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 400));
    const t0 = Date.now();
    await source.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(source.health().state).toBe('stopped');
    // Never connected: nothing was captured, so no gap either.
    expect(capture.marked).toEqual([]);
    expect(JSON.stringify(source.health())).not.toContain('s3cretpw');
  });
});

describe('without management rights', () => {
  it('captures anyway and says which command enables tracing', async () => {
    const capture = recordingCapture();
    const source = createFirehoseSource({
      name: 'it-nomgmt',
      transportUrl: `rabbit://${USER}:${PASS}@127.0.0.1:5672/${vhostSegment(vhost.name)}`,
      capture,
      directory: recordingDirectory(),
      log: silentLogger,
      intervals: { directoryMs: 200, checkMs: 500 },
    });
    try {
      await source.start();
      await waitFor('management warning', () => source.health().warnings.some((w) => /management API not usable/.test(w)));
      const h = source.health();
      expect(h.state).toBe('connected');
      expect(h.tracingEnabledByAgent).toBe(false);
      expect(h.warnings.join('\n')).toContain(`rabbitmqctl trace_on -p ${vhost.name}`);
      expect(h.warnings.join('\n')).toContain('HTTP 401');
      expect(JSON.stringify(h)).not.toContain(PASS);

      // An operator switches tracing on: capture works with the non-admin user.
      await setTracing(vhost.name, true);
      const { default: amqp } = await import('amqplib');
      const c = await amqp.connect(vhost.amqpUrl);
      const ch = await c.createConfirmChannel();
      ch.publish('amq.direct', 'nowhere', Buffer.from('hello'));
      await ch.waitForConfirms();
      await c.close();
      const ev = await waitFor('trace event captured', () => capture.raws.find((r) => r.routingKey === 'publish.amq.direct'));
      expect(ev.headers['routed_queues']).toEqual([]);
    } finally {
      await source.stop();
      await setTracing(vhost.name, false);
    }
  });
});
