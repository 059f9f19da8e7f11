/**
 * Message signatures end to end: signed oslo messages (made with the agent's own signer,
 * message-signing.md §5) are published to the real RabbitMQ; the agent, started with
 * `--keys`, captures them from the firehose and reports each one's verdict through the HTTP
 * API, the socket.io stream and the export. Several valid messages (plain and encrypted) and
 * several of each failure kind, each identified by its `_unique_id` (or, when its body
 * cannot be decrypted, by its exact bytes). The keys themselves must never come back out.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { io as connectStream } from 'socket.io-client';
import {
  encodeReply,
  osloProperties,
  requestInnerText,
  type EnvelopeBatch,
  type EnvelopeRecord,
  type FlowAggregate,
  type SignatureReason,
  type SignatureStatus,
} from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveTicketKeys } from '../../src/signing/hkdf-expand.js';
import { createSigner, signMessage } from '../../src/signing/index.js';
import { AGENT_MAIN, REPO_ROOT, createTestVhost, spawnLines, startAgent, toPublishOptions, type RunningAgent, type TestVhost } from '../support/index.js';
import { AgentApi, everythingIn, splitExport, waitUntil } from './agent-helpers.js';

const EXCHANGE = 'openstack';
/** Keyed and required to be signed. */
const TOPIC = 'sigtopic';
const SERVER = 'host-1';
const HOST_TARGET = `${TOPIC}.${SERVER}`;
/** No key loaded, signatures not required. */
const KEYLESS = 'sigkeyless';
const VERSION = '1.3';
const SOURCE = 'sigclient.ctl-1';

const KEYS: Record<string, Buffer> = { [TOPIC]: randomBytes(16), [HOST_TARGET]: randomBytes(16) };
/** A key the agent does not have (the sender's key for the keyless destination). */
const FOREIGN_KEY = randomBytes(16);
const signer = createSigner();

/** One message we publish and the verdict a user must see for it. */
interface Sent {
  label: string;
  routingKey: string;
  exchange: string;
  body: string;
  /** `null` when the record cannot show it (undecryptable body). */
  uniqueId: string | null;
  method: string | null;
  status: SignatureStatus;
  reason: SignatureReason | null;
  /** Whether the agent counts it as a call/cast of the `sigtopic` flow (or host-1 flow). */
  flow: 'topic' | 'host' | null;
}

const sent: Sent[] = [];

/** The inner text of a cast (or call) whose method names the case, with a unique id. */
function inner(method: string, opts: { call?: boolean; server?: string } = {}): { text: string; uniqueId: string } {
  const uniqueId = randomUUID().replace(/-/g, '');
  const text = requestInnerText({
    exchange: EXCHANGE,
    topic: TOPIC,
    ...(opts.server !== undefined ? { server: opts.server } : {}),
    version: VERSION,
    method,
    args: { volume_id: randomUUID(), size_gb: 10, note: 'héllo ✓' },
    context: { user: 'u-1', project_id: 'p-1', request_id: `req-${randomUUID()}` },
    ...(opts.call ? { msgId: randomUUID().replace(/-/g, ''), replyQueue: `reply_${randomUUID().replace(/-/g, '')}` } : {}),
    uniqueId,
  });
  return { text, uniqueId };
}

function record(s: Omit<Sent, 'exchange'> & { exchange?: string }): void {
  sent.push({ exchange: EXCHANGE, ...s });
}

/** Parse a signed body, change it, write it back (the wire form does not matter to the verifier). */
function rewrite(body: string, change: (env: Record<string, string>) => void): string {
  const env = JSON.parse(body) as Record<string, string>;
  change(env);
  return JSON.stringify(env);
}

const nowSeconds = () => Date.now() / 1000;

/** Deterministic signer inputs, so the test knows the ticket keys (for re-signing a corrupt ciphertext). */
function ticketInputs(destination: string, opts: { esekTimestamp?: string; ttl?: number } = {}) {
  const now = nowSeconds();
  const rndkey = randomBytes(32);
  const esekTimestamp = opts.esekTimestamp ?? String(Math.floor(now));
  return {
    rndkey,
    esekTimestamp,
    timestamp: now,
    ticket: {
      rndkeyHex: rndkey.toString('hex'),
      esekTimestamp,
      ttl: opts.ttl ?? 3600,
      esekIvHex: randomBytes(16).toString('hex'),
      destinationKeyHex: KEYS[destination]!.toString('hex'),
    },
  };
}

// Above 2^53, as real nonces are (the verifier must keep them exact).
let nonce = BigInt('0x' + randomBytes(6).toString('hex')) * 1000n + 2n ** 60n;

/** An encrypted message whose ciphertext is then corrupted and signed again (valid signature, bad ciphertext). */
function corruptEncrypted(label: string, corrupt: (raw: Buffer) => Buffer): void {
  const { text } = inner(label);
  const t = ticketInputs(TOPIC);
  const body = signMessage({
    innerMessage: text,
    source: SOURCE,
    destination: TOPIC,
    timestamp: t.timestamp,
    nonce: nonce++,
    encryption: true,
    messageIvHex: randomBytes(16).toString('hex'),
    ticket: t.ticket,
  });
  const { skey } = deriveTicketKeys(t.rndkey, SOURCE, TOPIC, t.esekTimestamp);
  const corrupted = rewrite(body, (env) => {
    env['oslo.message'] = corrupt(Buffer.from(env['oslo.message']!, 'base64')).toString('base64');
    env['oslo.secure.signature'] = createHmac('sha256', skey)
      .update(env['oslo.version']! + env['oslo.secure.metadata']! + env['oslo.message']!, 'utf8')
      .digest('base64');
  });
  record({ label, routingKey: TOPIC, body: corrupted, uniqueId: null, method: null, status: 'failed', reason: 'InvalidEncryptedMessage', flow: null });
}

/** Every case, in publish order. */
function buildMessages(): void {
  // Valid: casts and calls, plain and encrypted, to the topic and to one server.
  for (const [i, call] of [false, true, false].entries()) {
    const m = inner(`valid_plain_${i}`, { call });
    const body = signer.signInner(m.text, { source: SOURCE, destination: TOPIC, key: KEYS[TOPIC]! });
    record({
      label: `valid plain ${i}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `valid_plain_${i}`,
      status: 'valid',
      reason: null,
      flow: 'topic',
    });
  }
  {
    const m = inner('valid_to_server', { server: SERVER });
    const body = signer.signInner(m.text, { source: SOURCE, destination: HOST_TARGET, key: KEYS[HOST_TARGET]! });
    record({
      label: 'valid to server',
      routingKey: HOST_TARGET,
      body,
      uniqueId: m.uniqueId,
      method: 'valid_to_server',
      status: 'valid',
      reason: null,
      flow: 'host',
    });
  }
  for (const [i, call] of [true, false].entries()) {
    const m = inner(`valid_encrypted_${i}`, { call });
    const body = signer.signInner(m.text, { source: SOURCE, destination: TOPIC, key: KEYS[TOPIC]!, encrypt: true });
    record({
      label: `valid encrypted ${i}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `valid_encrypted_${i}`,
      status: 'valid',
      reason: null,
      flow: 'topic',
    });
  }

  // InvalidSignature: oslo.message altered after signing.
  for (const i of [0, 1]) {
    const m = inner(`tampered_${i}`);
    const signed = signer.signInner(m.text, { source: SOURCE, destination: TOPIC, key: KEYS[TOPIC]! });
    const body = rewrite(signed, (env) => {
      env['oslo.message'] = env['oslo.message']!.replace('"size_gb": 10', '"size_gb": 99');
    });
    expect(body).not.toBe(signed);
    record({
      label: `tampered ${i}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `tampered_${i}`,
      status: 'failed',
      reason: 'InvalidSignature',
      flow: 'topic',
    });
  }

  // DestinationMismatch: signed (correctly) for sigtopic.host-1, routed to sigtopic.
  for (const i of [0, 1]) {
    const m = inner(`misrouted_${i}`);
    const body = signer.signInner(m.text, { source: SOURCE, destination: HOST_TARGET, key: KEYS[HOST_TARGET]! });
    record({
      label: `misrouted ${i}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `misrouted_${i}`,
      status: 'failed',
      reason: 'DestinationMismatch',
      flow: 'topic',
    });
  }

  // InvalidExpiredTicket: the message time lies after the ticket's window, or before it.
  for (const [i, startOffset] of [-7200, -7200, 600].entries()) {
    const m = inner(`expired_${i}`);
    const t = ticketInputs(TOPIC, { esekTimestamp: String(Math.floor(nowSeconds()) + startOffset), ttl: 3600 });
    const body = signMessage({
      innerMessage: m.text,
      source: SOURCE,
      destination: TOPIC,
      timestamp: t.timestamp,
      nonce: nonce++,
      encryption: false,
      ticket: t.ticket,
    });
    record({
      label: `expired ${i}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `expired_${i}`,
      status: 'failed',
      reason: 'InvalidExpiredTicket',
      flow: 'topic',
    });
  }

  // ReplayedNonce: the same signed body published twice; the first copy stays valid.
  for (const i of [0, 1]) {
    const m = inner(`replayed_${i}`);
    const body = signer.signInner(m.text, { source: SOURCE, destination: TOPIC, key: KEYS[TOPIC]! });
    record({
      label: `replayed ${i} (original)`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `replayed_${i}`,
      status: 'valid',
      reason: null,
      flow: 'topic',
    });
    record({
      label: `replayed ${i} (copy)`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `replayed_${i}`,
      status: 'failed',
      reason: 'ReplayedNonce',
      flow: 'topic',
    });
  }

  // MissingSignature: unsigned (2.0 envelope) to destinations that require signatures.
  for (const i of [0, 1]) {
    const m = inner(`unsigned_required_${i}`);
    const body = `{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(m.text)}}`;
    record({
      label: `unsigned required ${i}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `unsigned_required_${i}`,
      status: 'failed',
      reason: 'MissingSignature',
      flow: 'topic',
    });
  }
  {
    const m = inner('unsigned_required_server', { server: SERVER });
    const body = `{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(m.text)}}`;
    record({
      label: 'unsigned required server',
      routingKey: HOST_TARGET,
      body,
      uniqueId: m.uniqueId,
      method: 'unsigned_required_server',
      status: 'failed',
      reason: 'MissingSignature',
      flow: 'host',
    });
  }

  // InvalidMetadata: metadata that is not (strict) JSON.
  const metadataFaults: Array<[string, (md: string) => string]> = [
    ['truncated', (md) => md.slice(0, -1)],
    ['duplicate_nonce', (md) => md.replace(/}$/, ', "nonce": 1}')],
  ];
  for (const [name, fault] of metadataFaults) {
    const m = inner(`bad_metadata_${name}`);
    const signed = signer.signInner(m.text, { source: SOURCE, destination: TOPIC, key: KEYS[TOPIC]! });
    const body = rewrite(signed, (env) => {
      env['oslo.secure.metadata'] = fault(env['oslo.secure.metadata']!);
    });
    record({
      label: `bad metadata ${name}`,
      routingKey: TOPIC,
      body,
      uniqueId: m.uniqueId,
      method: `bad_metadata_${name}`,
      status: 'failed',
      reason: 'InvalidMetadata',
      flow: 'topic',
    });
  }

  // InvalidEncryptedMessage: a corrupted ciphertext under a valid signature.
  // CBC: flipping a bit of the next-to-last block flips the same bit of the last plaintext
  // block, here the padding byte n (1..16) → n ^ 0x20 (> 16): never valid padding.
  corruptEncrypted('bad_ciphertext_padding', (raw) => {
    const out = Buffer.from(raw);
    out[out.length - 17]! ^= 0x20;
    return out;
  });
  // Not a whole number of blocks.
  corruptEncrypted('bad_ciphertext_length', (raw) => raw.subarray(0, raw.length - 5));

  // SharedKeyNotFound: signed for a destination the agent has no key for.
  for (const i of [0, 1]) {
    const m = inner(`keyless_${i}`);
    const body = signer.signInner(m.text, { source: SOURCE, destination: KEYLESS, key: FOREIGN_KEY });
    record({
      label: `keyless ${i}`,
      routingKey: KEYLESS,
      body,
      uniqueId: m.uniqueId,
      method: `keyless_${i}`,
      status: 'unverified',
      reason: 'SharedKeyNotFound',
      flow: null,
    });
  }

  // Unsigned where that is allowed: a destination that does not require signatures, and a
  // reply (replies are never signed, even to a queue that requires signatures).
  for (const i of [0, 1]) {
    const m = inner(`unsigned_allowed_${i}`);
    const body = `{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(m.text)}}`;
    record({
      label: `unsigned allowed ${i}`,
      routingKey: KEYLESS,
      body,
      uniqueId: m.uniqueId,
      method: `unsigned_allowed_${i}`,
      status: 'unsigned',
      reason: null,
      flow: null,
    });
  }
  {
    const uniqueId = randomUUID().replace(/-/g, '');
    const reply = encodeReply({ replyQueue: TOPIC, msgId: randomUUID().replace(/-/g, ''), uniqueId, result: { ok: true }, ending: true });
    record({
      label: 'unsigned reply',
      exchange: '',
      routingKey: TOPIC,
      body: Buffer.from(reply.body).toString('utf8'),
      uniqueId,
      method: null,
      status: 'unsigned',
      reason: null,
      flow: null,
    });
  }
}

const expectedFailures = () => sent.filter((s) => s.status === 'failed');

let vhost: TestVhost;
let agent: RunningAgent | null = null;
let api: AgentApi;
let tempDir: string;
let keyFile: string;
let conn: ChannelModel | null = null;
/** Stored records by the label of the message they show. */
const byLabel = new Map<string, EnvelopeRecord>();

/** Base64 and hex forms of every key in the key file: none may come back out of the agent. */
const keyForms = () => Object.values(KEYS).flatMap((k) => [k.toString('base64'), k.toString('hex')]);

async function publishAll(): Promise<void> {
  conn = await amqp.connect(vhost.amqpUrl);
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange(EXCHANGE, 'topic', { durable: false });
  // oslo's queues, so each publish is routable (and the firehose lists where it went).
  for (const q of [TOPIC, HOST_TARGET, KEYLESS]) {
    await ch.assertQueue(q, { durable: false });
    await ch.bindQueue(q, EXCHANGE, q);
  }
  for (const s of sent) {
    ch.publish(s.exchange, s.routingKey, Buffer.from(s.body, 'utf8'), toPublishOptions(osloProperties()));
    // One at a time, so the capture order is the publish order (the replay pair needs it).
    await ch.waitForConfirms();
  }
  await ch.close();
}

/** Which stored record is which message: by `_unique_id`, else by the exact body bytes. */
async function identify(records: EnvelopeRecord[]): Promise<void> {
  const claimed = new Set<number>();
  for (const s of sent) {
    let match: EnvelopeRecord | undefined;
    if (s.uniqueId !== null) {
      match = records.find((r) => !claimed.has(r.id) && r.uniqueId === s.uniqueId);
    } else {
      for (const r of records) {
        if (claimed.has(r.id) || r.uniqueId !== null) continue;
        const detail = await api.envelope(r.id);
        if (Buffer.from(detail.rawBase64, 'base64').toString('utf8') === s.body) {
          match = r;
          break;
        }
      }
    }
    if (match) {
      claimed.add(match.id);
      byLabel.set(s.label, match);
    }
  }
}

beforeAll(async () => {
  buildMessages();
  vhost = await createTestVhost('signatures');
  tempDir = await mkdtemp(path.join(tmpdir(), 'osloscope-keys-'));
  keyFile = path.join(tempDir, 'keys.json');
  await writeFile(
    keyFile,
    JSON.stringify({
      keys: Object.fromEntries(Object.entries(KEYS).map(([name, key]) => [name, key.toString('base64')])),
      requireSigned: [TOPIC, HOST_TARGET],
    }),
  );

  agent = await startAgent({ args: ['--transport-url', vhost.url, '--keys', keyFile, '--no-demo-fallback'] });
  api = new AgentApi(agent.baseUrl);
  await waitUntil('the agent to capture with tracing on', async () => {
    const src = (await api.health()).sources[0];
    return src?.state === 'connected' && src.tracing.some((t) => t.tracing);
  });

  await publishAll();
  const records = await waitUntil(`all ${sent.length} messages in the API`, async () => {
    const all = await api.allEnvelopes();
    return all.length >= sent.length ? all : null;
  });
  await identify(records);
}, 180_000);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await agent?.stop();
  await vhost?.cleanup();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

describe('signatures through the HTTP API', () => {
  it('captures every published message once', async () => {
    const all = await api.allEnvelopes();
    expect(all).toHaveLength(sent.length);
    expect(sent.filter((s) => !byLabel.has(s.label)).map((s) => s.label)).toEqual([]);
  });

  it('gives each message exactly the expected status and reason', () => {
    const seen = sent.map((s) => ({ label: s.label, status: byLabel.get(s.label)?.signature.status, reason: byLabel.get(s.label)?.signature.reason }));
    expect(seen).toEqual(sent.map((s) => ({ label: s.label, status: s.status, reason: s.reason })));
    // Sanity: the cases really cover every verdict.
    expect(new Set(sent.map((s) => `${s.status}/${s.reason ?? ''}`)).size).toBe(10);
  });

  it('filters by signature status exactly', async () => {
    for (const status of ['valid', 'unsigned', 'unverified', 'failed'] as const) {
      const ids = (await api.allEnvelopes(`signature=${status}`)).map((r) => r.id).sort((a, b) => a - b);
      const expected = sent
        .filter((s) => s.status === status)
        .map((s) => byLabel.get(s.label)?.id)
        .sort((a, b) => (a ?? 0) - (b ?? 0));
      expect(ids, status).toEqual(expected);
    }
  });

  it('shows decrypted messages with their method and args; the signed plain ones as sent', () => {
    for (const s of sent.filter((x) => x.method !== null)) {
      const r = byLabel.get(s.label);
      expect(r?.method, s.label).toBe(s.method);
      expect(r?.target).toMatchObject({ exchange: EXCHANGE, topic: s.routingKey.split('.')[0], version: VERSION });
      expect(r?.args?.['size_gb'], s.label).toBe(s.reason === 'InvalidSignature' ? 99 : 10);
      expect(r?.args?.['note']).toBe('héllo ✓');
    }
    const encrypted = byLabel.get('valid encrypted 0');
    expect(encrypted).toMatchObject({ kind: 'call', method: 'valid_encrypted_0', envelopeVersion: '2.1', decodeError: null });
    expect(byLabel.get('valid encrypted 1')).toMatchObject({ kind: 'cast', method: 'valid_encrypted_1', decodeError: null });
  });

  it('explains an undecryptable message instead of guessing at it', () => {
    const r = byLabel.get('bad_ciphertext_padding');
    expect(r).toMatchObject({ method: null, envelopeVersion: '2.1', routingKey: TOPIC });
    expect(r?.decodeError?.message).toMatch(/encrypted/);
  });

  it('counts signature failures per target in /api/flows', async () => {
    const flows = await api.json<FlowAggregate[]>('/api/flows');
    const topicFlow = flows.find((f) => f.target.topic === TOPIC && f.target.server === null);
    const hostFlow = flows.find((f) => f.target.topic === TOPIC && f.target.server === SERVER);
    // Undecryptable encrypted messages have no readable target (kind unknown), so they are in
    // no flow; they still count in health.counts.signatureFailures.
    const failedIn = (flow: Sent['flow']) => sent.filter((s) => s.flow === flow && s.status === 'failed').length;
    expect(failedIn('topic')).toBe(13);
    expect(topicFlow?.signatureFailures).toBe(13);
    expect(hostFlow?.signatureFailures).toBe(1);
    expect(topicFlow?.casts).toBe(sent.filter((s) => s.flow === 'topic').length - 2);
    expect(topicFlow?.calls).toBe(2);
  });

  it('reports loaded keys and the failure count in /api/health', async () => {
    const health = await api.health();
    expect(health.signing).toEqual({ keysLoaded: true, destinations: 2, requireSigned: 2 });
    expect(health.counts.signatureFailures).toBe(expectedFailures().length);
  });

  it('carries the verdict in each record of the export', async () => {
    const exported = new Map(splitExport(await api.exportText()).records.map(({ record }) => [record.id, record.signature] as const));
    expect(exported.size).toBe(sent.length);
    for (const s of sent) {
      const id = byLabel.get(s.label)?.id ?? -1;
      expect(exported.get(id), s.label).toMatchObject({ status: s.status, reason: s.reason });
    }
  });

  it('carries the verdict in the socket.io stream', async () => {
    const socket = connectStream(agent!.baseUrl, { transports: ['websocket'], forceNew: true });
    try {
      const batches: EnvelopeBatch[] = [];
      socket.on('envelopes:batch', (b: EnvelopeBatch) => batches.push(b));
      const ack = (await socket.timeout(10_000).emitWithAck('stream:subscribe', { filter: { signature: 'failed' }, historyLimit: 500 })) as {
        ok: boolean;
        value?: { total: number };
      };
      expect(ack).toEqual({ ok: true, value: { total: expectedFailures().length } });
      const items = await waitUntil(
        'the failed history',
        () => {
          const got = batches.filter((b) => b.history).flatMap((b) => b.items);
          return got.length >= expectedFailures().length ? got : null;
        },
        10_000,
      );
      const verdicts = new Map(items.map((r) => [r.id, r.signature] as const));
      for (const s of expectedFailures()) {
        expect(verdicts.get(byLabel.get(s.label)?.id ?? -1), s.label).toMatchObject({ status: 'failed', reason: s.reason });
      }
    } finally {
      socket.close();
    }
  });

  it('never sends a key back: health, lists, details, flows, export, log', async () => {
    for (const r of await api.allEnvelopes()) await api.envelope(r.id);
    await api.json('/api/flows');
    await api.json('/api/versions');
    await api.exportText();
    await api.health();
    const seen = api.responses.flatMap((res) => everythingIn(res)).join('\n');
    expect(api.responses.length).toBeGreaterThan(sent.length);
    for (const key of keyForms()) expect(seen.includes(key), 'key material in an API answer').toBe(false);
    const log = [...(agent?.stdout ?? []), ...(agent?.stderr ?? [])].join('\n');
    for (const key of keyForms()) expect(log.includes(key), 'key material in the log').toBe(false);
  });
});

describe('a bad key file', () => {
  it('stops the agent with a clear error (exit 2) that shows no key material', async () => {
    const shortKey = randomBytes(15).toString('base64');
    const badFile = path.join(tempDir, 'bad-keys.json');
    await writeFile(badFile, JSON.stringify({ keys: { [TOPIC]: KEYS[TOPIC]!.toString('base64'), 'sigtopic.host-2': shortKey } }));
    const proc = spawnLines(
      process.execPath,
      [AGENT_MAIN, '--transport-url', vhost.url, '--keys', badFile, '--port', '0', '--no-demo-fallback', '--data-dir', path.join(tempDir, 'data')],
      {
        cwd: REPO_ROOT,
      },
    );
    const code = await Promise.race([proc.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000))]);
    if (code === 'running') await proc.stop(2_000);
    expect(code).toBe(2);
    const output = [...proc.stdout, ...proc.stderr].join('\n');
    expect(output).toContain(badFile);
    expect(output).toMatch(/must decode to 16 bytes, got 15/);
    expect(output).not.toContain('osloscope listening');
    for (const secret of [shortKey, ...keyForms()]) expect(output.includes(secret)).toBe(false);
  });
});
