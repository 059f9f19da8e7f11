/**
 * Decode and verify: the first step of every raw event. The codec never throws by contract;
 * the guards here keep the capture loop alive regardless of what arrives.
 */
import { decodeInnerMessage, type DecodedEnvelope, type DecodeOptions, type SignatureVerdict } from '@osloscope/shared';
import { decodeRaw } from '../domain/decode-raw.js';
import type { RawCapture } from '../ports/raw-capture.js';
import type { StoredRaw } from '../store/raw-segments.js';
import { routingTargetOf, type Verifier } from '../signing/index.js';

export interface MessageDecoder {
  /** `null` only if the codec broke its contract and threw. */
  decode(raw: RawCapture | (StoredRaw & { source?: string })): DecodedEnvelope | null;
  /** Verify a publish once; a valid encrypted message is decoded from its plaintext. */
  verify(raw: Pick<RawCapture, 'body'>, decoded: DecodedEnvelope): { verdict: SignatureVerdict; decoded: DecodedEnvelope };
}

export function createMessageDecoder(decodeOptions: DecodeOptions, verifier: Verifier): MessageDecoder {
  return {
    decode(raw) {
      try {
        return decodeRaw(raw, decodeOptions);
      } catch {
        return null;
      }
    },
    verify(raw, decoded) {
      let result;
      try {
        result = verifier.verify({
          body: () => Buffer.from(raw.body).toString('utf8'),
          routingTarget: routingTargetOf(decoded.exchange, decoded.routingKey),
          // A 2.x envelope the decoder read without oslo.secure keys: the verifier need not parse it again.
          ...(decoded.envelopeVersion !== null && decoded.secure === null ? { secureKeys: false } : {}),
        });
      } catch {
        return { verdict: { status: 'unverified', reason: null, detail: 'verifier error' }, decoded };
      }
      const { decryptedMessage, ...verdict } = result;
      if (decryptedMessage === undefined) return { verdict, decoded };
      try {
        return { verdict, decoded: decodeInnerMessage(decryptedMessage, decoded, decodeOptions) };
      } catch {
        return { verdict, decoded };
      }
    },
  };
}
