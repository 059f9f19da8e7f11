import { REDACTED } from '@osloscope/shared';

/**
 * JSON paths whose value contains the redaction mask, e.g. `context.auth_token`,
 * `args.instance.admin_password`. A replay must never send the mask as if it were the
 * secret: the user has to supply the real value or remove the field.
 */
export function redactedPaths(value: unknown, path: string, out: string[] = [], depth = 0): string[] {
  if (depth > 200) return out;
  if (typeof value === 'string') {
    if (value.includes(REDACTED)) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => redactedPaths(item, `${path}[${i}]`, out, depth + 1));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes(REDACTED)) out.push(`${path}.${k}`);
      redactedPaths(v, `${path}.${k}`, out, depth + 1);
    }
  }
  return out;
}
