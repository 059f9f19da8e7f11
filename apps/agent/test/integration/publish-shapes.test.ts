/**
 * Everything osloscope publishes must read back in py-amqp, the AMQP client under kombu and
 * oslo.messaging, exactly as it was meant: an oslo server that cannot decode a message's header
 * table fails to consume it, reconnects, and gets it redelivered until it expires.
 *
 * Each shape osloscope can emit is published through the code that really publishes it (the
 * replay broker for replays: calls, casts, fanouts, signed or not, edited; the shared publish
 * options for the bench and test traffic), then read back with py-amqp from the queues it was
 * routed to. A canary publishes the integer header replay once added, to show that the reader
 * catches the failure this test guards against.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest, osloProperties, parseTransportUrl, uuid4Hex, type AmqpProperties, type EncodedMessage, type RequestToEncode } from '@osloscope/shared';
import { workload } from '../../bench/workload.js';
import { createReplayBroker, type ReplayBroker } from '../../src/replay/replay-broker.js';
import { planReplay, type PlanInputs } from '../../src/replay/replay-plan.js';
import { createSigner } from '../../src/signing/index.js';
import { createTestVhost, readWithPyAmqp, toPublishOptions, type PyAmqpMessage, type TestVhost } from '../support/index.js';

let vhost: TestVhost;
let broker: ReplayBroker;
/** Everything published to the `shapes` queue, in order, with what py-amqp must read. */
const published: Array<{ name: string; properties: AmqpProperties; body: Uint8Array }> = [];

const QUEUE = 'shapes';
const KEY = new Uint8Array(16).fill(7);

const original = (over: Partial<RequestToEncode> = {}): RequestToEncode => ({
  exchange: 'openstack',
  topic: 'demo',
  server: 'node-a',
  version: '1.3',
  method: 'echo',
  args: { value: 'shape', n: 225, f: 1.5, nested: { list: [1, 'two', null, true] } },
  context: { request_id: 'req-shape', auth_token: 'gAAAAABsecret', roles: ['admin'] },
  uniqueId: uuid4Hex(),
  msgId: uuid4Hex(),
  replyQueue: 'reply_' + uuid4Hex(),
  timeoutMs: 30_000,
  ...over,
});

/** The same request as a cast: no `_msg_id`, reply queue or timeout. */
function asCast(req: RequestToEncode): RequestToEncode {
  const { msgId: _m, replyQueue: _r, timeoutMs: _t, ...cast } = req;
  return cast;
}

async function replay(name: string, req: RequestToEncode, id: number, extra: Partial<PlanInputs> = {}): Promise<void> {
  const m = encodeRequest(req);
  const signer = createSigner();
  const plan = planReplay({
    original: { id, exchange: m.exchange, routingKey: m.routingKey, expirationMs: req.timeoutMs ?? null, body: m.body },
    source: 'shapes',
    uniqueId: uuid4Hex(),
    msgId: uuid4Hex(),
    replyQueue: await broker.replyQueue(),
    sign: () => ({ body: null, note: 'unsigned' }),
    ...extra,
    ...(name.includes('signed')
      ? {
          sign: (inner: string, destination: string) => ({
            body: signer.signInner(inner, { source: 'osloscope.test', destination, key: KEY }),
            note: 'signed',
          }),
        }
      : {}),
  });
  if (!plan.ok) throw new Error(`${name}: ${plan.error}`);
  const { routed } = await broker.publish(plan.message);
  expect(routed, name).toBe(true);
  published.push({ name, properties: plan.message.properties, body: plan.message.body });
}

/** Test and bench traffic: the shared publish options on a plain channel. */
async function publishHelpers(ch: amqp.ConfirmChannel): Promise<void> {
  const helpers: Array<{ name: string; m: EncodedMessage }> = [];
  const signed = encodeRequest(asCast(original({ server: null })));
  helpers.push({ name: 'e2e signed-publish (oslo properties, no expiration)', m: { ...signed, properties: osloProperties() } });
  const gen = workload(3);
  const kinds = new Set<string>();
  for (let i = 0; i < 400 && kinds.size < 5; i++) {
    const w = gen.next().value!;
    if (kinds.has(w.kind)) continue;
    kinds.add(w.kind);
    helpers.push({ name: `bench workload ${w.kind}`, m: w });
  }
  for (const { name, m } of helpers) {
    ch.publish('', QUEUE, Buffer.from(m.body), toPublishOptions(m.properties));
    published.push({ name, properties: m.properties, body: m.body });
  }
  await ch.waitForConfirms();
}

/** What py-amqp must have read for a message published with `p`. */
function expectedProperties(p: AmqpProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (k !== 'headers') out[k] = v;
  return out;
}

const bodyText = (m: PyAmqpMessage) => (typeof m.body === 'string' ? m.body : Buffer.from(m.body.base64, 'base64').toString('utf8'));

beforeAll(async () => {
  vhost = await createTestVhost('publish-shapes');
  const conn = await amqp.connect(vhost.amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(QUEUE, { durable: false });
    await ch.assertExchange('openstack', 'topic', { durable: false });
    await ch.bindQueue(QUEUE, 'openstack', '#');
    await ch.assertExchange('demo_fanout', 'fanout', { durable: false, autoDelete: true });
    await ch.bindQueue(QUEUE, 'demo_fanout', '');
    await ch.assertQueue('canary', { durable: false });

    broker = createReplayBroker({ source: 'shapes', url: parseTransportUrl(vhost.url), onReply: () => undefined });
    // Record ids across the ranges amqplib encodes differently (int8, int16 `s`, int32).
    await replay('replayed call', original(), 5);
    await replay('replayed call, signed', original(), 225);
    await replay('replayed call, edited and sent to another server', original(), 300, {
      edits: { args: { value: 'edited' }, version: '1.4' },
      target: { server: 'node-b' },
    });
    await replay('replayed cast', asCast(original()), 40_000);
    await replay('replayed fanout cast', asCast(original({ server: null, fanout: true })), 70_000, {
      target: { exchange: 'openstack', routingKey: 'demo' },
    });
    await publishHelpers(ch);

    // The header replay used to add, as amqplib writes it (16-bit `s`): what py-amqp fails on.
    ch.publish('', 'canary', Buffer.from('{}'), { headers: { 'x-osloscope-replay-of': 225, after: 'x' } });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
});

afterAll(async () => {
  await broker?.close();
  await vhost?.cleanup();
});

describe('what osloscope publishes, read back by py-amqp', () => {
  it('decodes every shape with the properties and body that were meant, headers as strings', async () => {
    const { messages, error } = await readWithPyAmqp(vhost.url, [QUEUE]);
    expect(error).toBeNull();
    expect(messages.map((m) => m.queue)).toHaveLength(published.length);
    expect(published.length).toBeGreaterThanOrEqual(11);
    messages.forEach((m, i) => {
      const sent = published[i]!;
      expect(m.properties, sent.name).toEqual(expectedProperties(sent.properties));
      expect(m.headers ?? {}, sent.name).toEqual(sent.properties.headers ?? {});
      expect(
        Object.values(m.header_types).every((t) => t === 'str'),
        sent.name,
      ).toBe(true);
      expect(bodyText(m), sent.name).toBe(Buffer.from(sent.body).toString('utf8'));
    });
  });

  it('canary: an integer header as amqplib writes it breaks py-amqp (what the reader above would catch)', async () => {
    const { error } = await readWithPyAmqp(vhost.url, ['canary']);
    expect(error?.type).toBe('IndexError');
  });

  it('refuses to publish a non-string header at all', async () => {
    const m = encodeRequest(original());
    await expect(broker.publish({ ...m, properties: { ...m.properties, headers: { 'x-any': 225 } } })).rejects.toThrow(/string headers only/);
  });
});
