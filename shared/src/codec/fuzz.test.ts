/**
 * Fuzzing the decoders with a seeded PRNG (set FUZZ_SEED to replay another run): mutated
 * fixture bodies, wrong types in every known field, random bytes, invalid UTF-8, huge and
 * 100k-deep bodies, random trace headers. The decoder must never throw and must always
 * give either a well-formed envelope or kind `unknown` with a decodeError.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random.js';
import { DECODE_ERROR_CODES, ENVELOPE_KINDS, type DecodedEnvelope } from '../envelope.js';
import { decodeMessage } from './decode.js';
import { decodeTraceEvent } from './trace-event.js';
import type { DecodeOptions, TraceEvent } from './types.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261129);
const ITERATIONS = 12_000;

const rnd = seededRandom(SEED);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

interface FixtureLine {
  routingKey: string;
  properties: { headers: Record<string, unknown> };
  bodyBase64: string;
}
const FIXTURE = new URL('../../test/fixtures/oslo-firehose-sample.jsonl', import.meta.url);
const fixtures: FixtureLine[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as FixtureLine);
const bodies = fixtures.map((f) => new Uint8Array(Buffer.from(f.bodyBase64, 'base64')));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const KNOWN_FIELDS = [
  'method',
  'args',
  'namespace',
  'version',
  '_msg_id',
  '_reply_q',
  '_timeout',
  '_unique_id',
  'result',
  'failure',
  'ending',
  'event_type',
  'publisher_id',
  'priority',
  'payload',
  'timestamp',
  'message_id',
  '_context_user',
  '_context___proto__',
] as const;
const OUTER_FIELDS = ['oslo.version', 'oslo.message', 'oslo.secure.metadata', 'oslo.secure.signature'] as const;

function randomString(): string {
  const len = int(12);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(rnd() < 0.8 ? 32 + int(95) : int(0x10000));
  return s;
}

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return rnd() < 0.5 ? int(1e6) - 5e5 : (rnd() - 0.5) * 1e10;
    case 3:
      return randomString();
    case 4:
      return pick(['2.0', '2.1', '1.0', '3.0', '', '{}', '[]', '{"class": 1}', 'null', '{"method": "x"}']);
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    case 7:
      return Object.fromEntries(Array.from({ length: int(4) }, () => [pick([...KNOWN_FIELDS, randomString()]), randomValue(depth + 1)]));
    default:
      return '['.repeat(int(300));
  }
}

/** Replace known fields (inner and outer) with random-typed values. */
function wrongTypes(body: Uint8Array): Uint8Array {
  const outer = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
  const hasEnvelope = typeof outer['oslo.message'] === 'string';
  const inner = hasEnvelope ? (JSON.parse(outer['oslo.message'] as string) as Record<string, unknown>) : outer;
  for (let k = 1 + int(3); k > 0; k--) {
    const target = hasEnvelope && rnd() < 0.2 ? outer : inner;
    const field = target === outer ? pick(OUTER_FIELDS) : pick(KNOWN_FIELDS);
    const v = randomValue();
    if (v === undefined) delete target[field];
    else target[field] = v;
  }
  if (hasEnvelope && outer['oslo.message'] !== undefined && typeof outer['oslo.message'] === 'string' && rnd() < 0.9)
    outer['oslo.message'] = JSON.stringify(inner);
  return enc(JSON.stringify(outer));
}

function mutateBytes(body: Uint8Array): Uint8Array {
  const b = body.slice();
  switch (int(5)) {
    case 0:
      return b.subarray(0, int(b.length + 1)); // truncated
    case 1: {
      for (let k = 1 + int(8); k > 0; k--) b[int(b.length)]! ^= 1 << int(8);
      return b;
    } // bit flips
    case 2: {
      const at = int(b.length);
      const bad = pick([[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]]);
      return new Uint8Array([...b.subarray(0, at), ...bad, ...b.subarray(at)]);
    }
    case 3: {
      const at = int(b.length);
      return new Uint8Array([...b.subarray(0, at), ...enc(pick(['"', '\\', '{', ']', ',', ':', '\\u12', 'é', '😀'])), ...b.subarray(at)]);
    }
    default:
      return b.subarray(int(b.length)); // random tail
  }
}

function randomBytes(): Uint8Array {
  const b = new Uint8Array(int(2048));
  for (let i = 0; i < b.length; i++) b[i] = rnd() < 0.7 ? 32 + int(95) : int(256);
  return b;
}

const DEEP = [
  enc('['.repeat(100_000) + ']'.repeat(100_000)),
  enc('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)),
  enc(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': '['.repeat(100_000) + ']'.repeat(100_000) })),
  enc(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ result: null, failure: '['.repeat(100_000), ending: true, _msg_id: 'm' }) })),
  enc('['.repeat(100_000)),
];

function randomHeaders(base: Record<string, unknown>): Record<string, unknown> {
  const h: Record<string, unknown> = { ...base };
  for (let k = 1 + int(4); k > 0; k--) {
    const key = pick(['exchange_name', 'routing_keys', 'properties', 'node', 'vhost', 'connection', 'channel', 'user', 'routed_queues', 'redelivered']);
    h[key] = pick([
      randomValue(),
      enc(randomString()),
      new Uint8Array([0xff, 0xfe]),
      [enc('q1'), 5, null],
      10n,
      { headers: { compression: randomValue() }, expiration: randomValue(), priority: '7' },
    ]);
  }
  return h;
}

/** Why `e` is not a well-formed decode result, or null. Plain checks: 12k × expect() is slow. */
function problemWith(e: DecodedEnvelope): string | null {
  if (!ENVELOPE_KINDS.includes(e.kind)) return `kind ${String(e.kind)}`;
  if (typeof e.exchange !== 'string' || typeof e.routingKey !== 'string') return 'exchange/routingKey not strings';
  if (typeof e.bodySize !== 'number') return 'bodySize not a number';
  if ((e.kind === 'unknown') !== (e.decodeError !== null)) return `kind ${e.kind} with decodeError ${JSON.stringify(e.decodeError)}`;
  if (e.decodeError !== null) {
    if (!DECODE_ERROR_CODES.includes(e.decodeError.code)) return `code ${e.decodeError.code}`;
    if (typeof e.decodeError.message !== 'string' || e.decodeError.message.length < 10) return 'no error message';
  }
  if (e.kind === 'call' || e.kind === 'cast') {
    if (typeof e.method !== 'string' || e.target === null) return 'request without method/target';
    if (e.context === null || Object.getPrototypeOf(e.context) !== Object.prototype) return 'request context not a plain object';
  }
  if (e.kind === 'call' && typeof e.msgId !== 'string') return 'call without msgId';
  if (e.kind === 'reply') {
    if (typeof e.msgId !== 'string' || e.reply === null) return 'reply without msgId/reply';
    if (![true, false, null].includes(e.reply.ending)) return 'reply.ending';
  }
  if (e.kind === 'notification' && e.notification === null) return 'notification without fields';
  if (e.broker !== null && e.broker.event !== 'publish' && e.broker.event !== 'deliver') return 'broker.event';
  return null;
}

function checkWellFormed(e: DecodedEnvelope, what: string): void {
  const problem = problemWith(e);
  if (problem !== null) expect.fail(`${what} (FUZZ_SEED=${SEED}): ${problem}`);
}

describe(`decoder fuzz (seed ${SEED})`, () => {
  it(`${ITERATIONS} mutated and random inputs never throw and always give a well-formed result`, { timeout: 30_000 }, () => {
    const counts = new Map<string, number>();
    const small: DecodeOptions = { maxBodyBytes: 1500, maxDepth: 20 };
    for (let n = 0; n < ITERATIONS; n++) {
      const i = int(fixtures.length);
      const fx = fixtures[i]!;
      let body: Uint8Array;
      let what: string;
      const r = rnd();
      if (r < 0.35) [body, what] = [wrongTypes(bodies[i]!), `wrong types in line ${i + 1}`];
      else if (r < 0.7) [body, what] = [mutateBytes(bodies[i]!), `mutated bytes of line ${i + 1}`];
      else if (r < 0.85) [body, what] = [randomBytes(), 'random bytes'];
      else if (r < 0.86) [body, what] = [pick(DEEP), 'deep nesting'];
      else [body, what] = [enc(JSON.stringify(randomValue())), 'random JSON value'];

      const opts = rnd() < 0.2 ? small : rnd() < 0.1 ? { decompress: () => (rnd() < 0.5 ? null : randomBytes()) } : undefined;
      const ev: TraceEvent = {
        routingKey: rnd() < 0.9 ? fx.routingKey : pick(['', 'publish', 'deliver.', 'nonsense', 'deliver.a.b.c']),
        headers: rnd() < 0.7 ? fx.properties.headers : randomHeaders(fx.properties.headers),
        body,
      };
      const e = rnd() < 0.8 ? decodeTraceEvent(ev, opts) : decodeMessage({ exchange: 'openstack', routingKey: 'demo', properties: {}, body }, opts);
      checkWellFormed(e, what);
      const key = e.decodeError?.code ?? e.kind;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // The fuzz reaches every outcome (otherwise it is not testing much).
    for (const k of [...ENVELOPE_KINDS.filter((k) => k !== 'unknown'), ...DECODE_ERROR_CODES.filter((c) => c !== 'compressed')]) {
      expect(counts.get(k) ?? 0, `outcome ${k}`).toBeGreaterThan(0);
    }
  });

  it('a 17 MB body and hostile top-level inputs', () => {
    checkWellFormed(decodeMessage({ exchange: 'x', routingKey: 'y', properties: {}, body: new Uint8Array(17 * 1024 * 1024) }), 'huge body');
    for (const bad of [null, undefined, 42, 'str', [], { body: null }, { headers: null, body: new Uint8Array(0) }]) {
      checkWellFormed(decodeTraceEvent(bad as unknown as TraceEvent), `trace event ${String(bad)}`);
      checkWellFormed(decodeMessage(bad as never), `message ${String(bad)}`);
    }
    const compressed = decodeMessage({ exchange: 'x', routingKey: 'y', properties: { headers: { compression: 'application/x-bz2' } }, body: randomBytes() });
    expect(compressed.decodeError?.code).toBe('compressed');
  });
});
