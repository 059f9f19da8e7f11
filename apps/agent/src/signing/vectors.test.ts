import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKeyFile } from './key-file.js';
import { signMessage, type SignerInputs } from './signer.js';
import { createVerifier, type VerifyResult } from './verifier.js';

/** One vector as stored in the file. */
export interface SigningVector {
  name: string;
  routingTarget: string;
  envelope: string;
  expect: { status: string; reason: string | null; decryptedMessage?: string };
  note?: string;
  signerInputs?: SignerInputs;
  intermediate?: {
    esekPlaintext: string;
    esek: string;
    info: string;
    okmHex: string;
    skeyHex: string;
    ekeyHex: string;
    metadata: string;
    message: string;
    hmacHex: string;
    signature: string;
  };
}

// The signing vector file (shared/test/fixtures/signing-vectors.json); it is also a key file.
const vectorFileText = readFileSync(new URL('../../../../shared/test/fixtures/signing-vectors.json', import.meta.url), 'utf8');
const vectorFile = JSON.parse(vectorFileText) as { keys: Record<string, string>; requireSigned: string[]; vectors: SigningVector[] };

/** The observable outcome the vector file specifies. */
function outcome(r: VerifyResult): SigningVector['expect'] {
  return {
    status: r.status,
    reason: r.reason,
    ...(r.decryptedMessage !== undefined ? { decryptedMessage: r.decryptedMessage } : {}),
  };
}

describe('signing vectors, in file order through ONE verifier', () => {
  const verifier = createVerifier(parseKeyFile(vectorFileText));
  let checked = 0;

  it.each(vectorFile.vectors.map((v, i) => [i + 1, v.name, v] as const))('#%i %s', (_i, _name, v) => {
    const result = verifier.verify({ body: v.envelope, parsed: JSON.parse(v.envelope), routingTarget: v.routingTarget });
    checked++;
    expect(outcome(result)).toEqual(v.expect);
  });

  it('checked every vector in the file (52)', () => {
    expect(vectorFile.vectors.length).toBe(52);
    expect(checked).toBe(vectorFile.vectors.length);
  });
});

describe('signing vectors without a pre-parsed body', () => {
  it('gives the same outcomes when the verifier parses the body text itself', () => {
    const verifier = createVerifier(parseKeyFile(vectorFileText));
    const mismatches = vectorFile.vectors
      .map((v) => ({ name: v.name, got: outcome(verifier.verify({ body: v.envelope, routingTarget: v.routingTarget })), want: v.expect }))
      .filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.want));
    expect(mismatches).toEqual([]);
  });
});

describe('signer reproduces every vector with signerInputs byte for byte', () => {
  const withInputs = vectorFile.vectors.filter((v) => v.signerInputs !== undefined);

  it('covers the signed vectors of the file', () => {
    expect(withInputs.length).toBeGreaterThanOrEqual(17);
  });

  it.each(withInputs.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(signMessage(v.signerInputs!)).toBe(v.envelope);
  });
});
