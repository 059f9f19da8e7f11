/** Building precise DecodeErrors. */
import type { DecodeError, DecodeErrorCode } from '../envelope.js';

export function decodeError(code: DecodeErrorCode, message: string): DecodeError {
  return { code, message };
}

/** JSON-ish type name of a value for messages: `string`, `number`, `array`, `null`, `missing`, ... */
export function typeName(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

/** `<field> must be <expected>, got <type>`. */
export function wrongType(field: string, expected: string, found: unknown): DecodeError {
  return { code: 'wrong-type', message: `${field} must be ${expected}, got ${typeName(found)}` };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}
