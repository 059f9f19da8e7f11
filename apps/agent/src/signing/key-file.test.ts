import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KeyFileError, createKeyRing, loadKeyFile, parseKeyFile } from './key-file.js';
import type { SigningVector } from './vectors.test.js';

// The signing vector file (shared/test/fixtures/signing-vectors.json); it is also a key file.
const vectorFileText = readFileSync(new URL('../../../../shared/test/fixtures/signing-vectors.json', import.meta.url), 'utf8');
const vectorFile = JSON.parse(vectorFileText) as { keys: Record<string, string>; requireSigned: string[]; vectors: SigningVector[] };

const SCHEDULER = 'aB55pJNOPCsfg6sxRqjYSA==';
const HOST1 = '8ojvl9Eu3H7LA2OgQdGa+w==';
const HOST1_HEX = Buffer.from(HOST1, 'base64').toString('hex');

function errorOf(text: string): KeyFileError {
  try {
    parseKeyFile(text);
  } catch (err) {
    if (err instanceof KeyFileError) return err;
    throw err;
  }
  throw new Error('expected the key file to be rejected');
}

describe('parseKeyFile', () => {
  it('loads the §2 example with exact-name lookup', () => {
    const ring = parseKeyFile(JSON.stringify({ keys: { scheduler: SCHEDULER, 'compute.host-1': HOST1 }, requireSigned: ['scheduler'] }));
    expect(ring.destinations).toBe(2);
    expect(ring.get('compute.host-1')?.toString('hex')).toBe(HOST1_HEX);
    expect(ring.has('compute')).toBe(false);
    expect(ring.get('compute')).toBeUndefined();
    expect([...ring.requireSigned]).toEqual(['scheduler']);
  });

  it('defaults requireSigned to empty', () => {
    expect(parseKeyFile(`{"keys": {"scheduler": "${SCHEDULER}"}}`).requireSigned.size).toBe(0);
  });

  it('loads the vector file itself (extra top-level members are ignored)', () => {
    const ring = parseKeyFile(vectorFileText);
    expect(ring.destinations).toBe(Object.keys(vectorFile.keys).length);
    expect(ring.requireSigned).toEqual(new Set(vectorFile.requireSigned));
  });

  it.each([
    ['whitespace inside', `{"keys": {"scheduler": "aB55pJNO PCsfg6sxRqjYSA=="}}`, /scheduler.*not strict base64/],
    ['missing padding', `{"keys": {"scheduler": "aB55pJNOPCsfg6sxRqjYSA"}}`, /not strict base64/],
    ['url-safe alphabet', `{"keys": {"compute.host-1": "8ojvl9Eu3H7LA2OgQdGa-w=="}}`, /not strict base64/],
    ['trailing newline', `{"keys": {"scheduler": "aB55pJNOPCsfg6sxRqjYSA==\\n"}}`, /not strict base64/],
  ])('rejects non-strict base64: %s', (_what, text, message) => {
    expect(errorOf(text).message).toMatch(message);
  });

  it.each([
    ['12 bytes', 'aB55pJNOPCsfg6sx', /16 bytes, got 12/],
    ['32 bytes', 'hTsgvK8zG2Rsup2EaMqCTOYUn/2BVtBm9e2u9ajmUiU=', /16 bytes, got 32/],
  ])('rejects a key of the wrong length: %s', (_what, key, message) => {
    const err = errorOf(`{"keys": {"scheduler": "${key}"}}`);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(key);
  });

  it.each([
    ['not JSON', '{"keys": {', /not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['no keys', '{"requireSigned": []}', /no "keys"/],
    ['keys as array', `{"keys": ["${SCHEDULER}"]}`, /"keys" must be an object/],
    ['key not a string', '{"keys": {"scheduler": 42}}', /must be a base64 string/],
    ['requireSigned not array', `{"keys": {}, "requireSigned": "scheduler"}`, /"requireSigned" must be an array/],
    ['requireSigned item not string', `{"keys": {}, "requireSigned": [1]}`, /entry #1 must be a string/],
    ['duplicate name', `{"keys": {"scheduler": "${SCHEDULER}", "scheduler": "${HOST1}"}}`, /duplicate member name/],
  ])('rejects the wrong shape: %s', (_what, text, message) => {
    expect(errorOf(text).message).toMatch(message);
  });

  it('never puts key material in an error, even a key pasted as a name', () => {
    const texts = [
      `{"keys": {"${SCHEDULER}": "scheduler"}}`,
      `{"keys": {"scheduler": "${SCHEDULER.slice(0, -2)}"}}`,
      `{"keys": {"scheduler": "${SCHEDULER}", "compute": "${HOST1}x"}}`,
      `{"keys": {"scheduler": "${SCHEDULER}",}}`,
    ];
    for (const text of texts) {
      const message = errorOf(text).message;
      expect(message).not.toContain(SCHEDULER.slice(0, 8));
      expect(message).not.toContain(HOST1.slice(0, 8));
    }
  });
});

describe('KeyRing printing', () => {
  const ring = parseKeyFile(JSON.stringify({ keys: { scheduler: SCHEDULER, 'compute.host-1': HOST1 }, requireSigned: ['scheduler'] }));
  const schedulerHex = Buffer.from(SCHEDULER, 'base64').toString('hex');

  it('serialises to counts only', () => {
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ destinations: 2, requireSigned: 1 });
    expect(JSON.stringify({ config: { keys: ring } })).not.toContain(schedulerHex);
  });

  it('shows no key under util.inspect, String() or object spread', () => {
    for (const shown of [inspect(ring, { showHidden: true, depth: 10 }), String(ring), inspect({ ...ring }, { showHidden: true })]) {
      expect(shown).not.toContain(SCHEDULER);
      expect(shown).not.toContain(schedulerHex);
      expect(shown).not.toMatch(/<Buffer/);
    }
    expect(inspect(ring)).toBe('KeyRing { destinations: 2, requireSigned: 1 }');
    expect(Object.keys(ring)).toEqual(['requireSigned']);
  });

  it('hands out copies, so a caller cannot alter the stored key', () => {
    ring.get('scheduler')!.fill(0);
    expect(ring.get('scheduler')!.toString('hex')).toBe(schedulerHex);
  });
});

describe('loadKeyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osloscope-keys-'));

  it('reads a file from disk', () => {
    const path = join(dir, 'keys.json');
    writeFileSync(path, JSON.stringify({ keys: { scheduler: SCHEDULER } }));
    expect(loadKeyFile(path).has('scheduler')).toBe(true);
  });

  it('names the file and the problem, not the key', () => {
    const path = join(dir, 'short.json');
    writeFileSync(path, `{"keys": {"scheduler": "${SCHEDULER.slice(0, 16)}"}}`);
    expect(() => loadKeyFile(path)).toThrow(`${path}: key #1 "scheduler" must decode to 16 bytes, got 12`);
  });

  it('reports an unreadable file', () => {
    expect(() => loadKeyFile(join(dir, 'absent.json'))).toThrow(/cannot read key file .*absent\.json \(ENOENT\)/);
  });
});

describe('createKeyRing', () => {
  it('rejects keys that are not 16 bytes', () => {
    expect(() => createKeyRing({ scheduler: Buffer.alloc(15) })).toThrow(KeyFileError);
    expect(createKeyRing(new Map([['scheduler', Buffer.alloc(16, 1)]]), ['scheduler']).requireSigned.has('scheduler')).toBe(true);
  });
});
