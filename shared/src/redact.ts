/**
 * Secret masking for what osloscope displays: request contexts (`_context_auth_token`
 * travels in clear text, oslo-wire-format §4.3), message args and raw bodies.
 *
 * A value is a secret when
 * - its key names one (`isSecretKey`: auth_token, token, password, passwd, pass, pwd, secret,
 *   private/api/access/secret/encryption/fernet key, credential(s); `_`/`-`/camelCase
 *   separated, so `_context_auth_token`, `X-Auth-Token`, `adminPassword` count, but
 *   `key_name`, `token_type` or a bare `key` do not), or
 * - it has a token's shape anywhere inside a string (`SECRET_PATTERNS`: Keystone Fernet
 *   `gAAAAA…`, PKI `MII…`/PKIZ, JWS `eyJ….eyJ….…`, `Bearer …`, PEM private keys), or
 * - it is the password of a URL `scheme://user:pass@host` inside a string.
 *
 * `null`, `''`, empty lists/objects and booleans are never secrets: `auth_token: null`
 * stays null so the UI can show that no token was sent.
 */
import { strictJsonOfPython } from './codec/python-floats.js';
import { pythonJsonDumps } from './codec/python-json.js';
import { maskUrlCredentials } from './transport-url.js';

/** The mask put in place of every secret. Replay refuses to send a body containing it. */
export const REDACTED = '***redacted***';

const SECRET_KEY = /(^|_)(token|password|passwd|pass|pwd|secret|private_key|api_key|access_key|secret_key|encryption_key|fernet_key|credentials?)$/;

/**
 * Answers by key: the same few hundred keys (arg names, context entries) come back in every
 * message, and three regex passes per key were a visible share of the agent's live path.
 * Cleared when full, so keys made of data (ids as dict keys) cannot grow it without bound.
 */
const secretKeyAnswers = new Map<string, boolean>();
const SECRET_KEY_ANSWERS_MAX = 10_000;

/** Whether a key (context entry, arg name, header) names a secret. See the module comment. */
export function isSecretKey(key: string): boolean {
  const known = secretKeyAnswers.get(key);
  if (known !== undefined) return known;
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  const secret = SECRET_KEY.test(snake);
  if (secretKeyAnswers.size >= SECRET_KEY_ANSWERS_MAX) secretKeyAnswers.clear();
  secretKeyAnswers.set(key, secret);
  return secret;
}

/**
 * Token-shaped substrings. Each match is replaced by its prefix group (if any) + REDACTED.
 * Lengths are generous lower bounds so ids and short base64 values are left alone.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /gAAAAA[A-Za-z0-9_-]{60,}={0,2}/g, // Keystone Fernet token
  /PKIZ_[A-Za-z0-9_-]{60,}={0,2}/g, // Keystone PKIZ token
  /MII[A-Za-z0-9+/_-]{100,}={0,2}/g, // Keystone PKI token (base64 CMS)
  /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, // JWS token
];
const BEARER = /\b(Bearer\s+)(?!\*\*\*redacted\*\*\*)[A-Za-z0-9._~+/-]+=*/gi;

/**
 * A literal every pattern above (and a URL with credentials) needs, in one case-insensitive
 * scan: almost no string has one, and then the seven pattern scans are skipped.
 */
const SECRET_HINT = /gaaaaa|pkiz_|mii|eyj|private key|bearer|:\/\//i;

/** Masks token-shaped substrings and URL passwords inside one string. */
export function redactString(s: string): string {
  if (s.length < 4 || !SECRET_HINT.test(s)) return s;
  let out = s;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(BEARER, `$1${REDACTED}`);
  return maskUrlCredentials(out, REDACTED);
}

/** Values that carry no secret even under a secret-looking key. */
function isBlank(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** The path of the value at `keys` (the walk's stack), e.g. `hosts[1].url`. */
function pathOf(keys: readonly (string | number)[]): string {
  let path = '';
  for (const key of keys) path = typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
  return path;
}

/** Keys whose string value is itself JSON on the wire (double/triple encoding). */
const NESTED_JSON_KEYS = new Set(['oslo.message', 'failure']);
const MAX_DEPTH = 200;

interface Walk {
  masked: string[];
  /** Parse and redact JSON held in `oslo.message` / `failure` strings (raw bodies only). */
  nestedJson: boolean;
  /**
   * Keys from the root to the value being walked. A path string is made only for what is
   * masked: building one per node cost more than the rest of the walk on large args.
   */
  keys: (string | number)[];
}

/**
 * The value with its secrets masked. Copy on write: a value with nothing to mask comes back
 * as the very same object, so the common message (no secret in its args) costs a walk but
 * no copy; a container is copied only when something inside it changed. Callers treat what
 * they are given as read-only.
 */
function walk(value: unknown, key: string | null, depth: number, w: Walk): unknown {
  if (key !== null && isSecretKey(key) && !isBlank(value)) {
    if (value !== REDACTED) w.masked.push(pathOf(w.keys));
    return REDACTED;
  }
  if (depth > MAX_DEPTH) {
    // Too deep to inspect: hide it rather than risk showing a secret.
    w.masked.push(pathOf(w.keys));
    return REDACTED;
  }
  if (typeof value === 'string') {
    if (w.nestedJson && key !== null && NESTED_JSON_KEYS.has(key)) {
      const nested = redactNestedJson(value, depth, w);
      if (nested !== null) return nested;
    }
    const out = redactString(value);
    if (out !== value) w.masked.push(pathOf(w.keys) || '$');
    return out;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      w.keys.push(i);
      const out = walk(item, null, depth + 1, w);
      w.keys.pop();
      if (!Object.is(out, item) && copy === null) copy = value.slice(0, i);
      if (copy !== null) copy.push(out);
    }
    return copy ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    let copy: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const item = obj[k];
      w.keys.push(k);
      const out = walk(item, k, depth + 1, w);
      w.keys.pop();
      if (!Object.is(out, item) && copy === null) {
        copy = {};
        for (let j = 0; j < i; j++) setOwn(copy, keys[j] as string, obj[keys[j] as string]);
      }
      if (copy !== null) setOwn(copy, k, out);
    }
    return copy ?? value;
  }
  return value;
}

/** `obj[key] = value` that makes a key named `__proto__` (valid in JSON) an own property, as JSON.parse does. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** JSON text as oslo writes it (Python's json: bare NaN/Infinity allowed); `undefined` when it is not. */
function parseWireJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const strict = strictJsonOfPython(text);
    if (strict === null) return undefined;
    try {
      return JSON.parse(strict);
    } catch {
      return undefined;
    }
  }
}

/**
 * Redacts JSON held in a string; returns it re-serialized as Python would. Text that is not
 * JSON is masked by pattern (secret-keyed members, token shapes): never shown as it came.
 * Null when it holds no container (a plain string: the caller masks it as one).
 */
function redactNestedJson(text: string, depth: number, w: Walk): string | null {
  const parsed = parseWireJson(text);
  if (parsed === undefined) {
    const unparsed = redactUnparsedText(text);
    if (unparsed.masked.length > 0) w.masked.push(pathOf(w.keys) || '$');
    return unparsed.text;
  }
  if (parsed === null || typeof parsed !== 'object') return null;
  const before = w.masked.length;
  const redacted = walk(parsed, null, depth + 1, w);
  // Untouched: keep the exact wire text.
  return w.masked.length === before ? text : pythonJsonDumps(redacted);
}

/**
 * Masks secrets anywhere in a JSON-like value (args, payloads, results).
 * `masked` lists the paths replaced, e.g. `instance.admin_password`, `hosts[1].url`.
 * `value` is the input itself (not a copy) when nothing was masked; never modify either.
 */
export function redactValue(value: unknown): { value: unknown; masked: string[] } {
  const w: Walk = { masked: [], nestedJson: false, keys: [] };
  return { value: walk(value, null, 0, w), masked: w.masked };
}

/**
 * Masks secrets in a request context (`_context_*` entries folded back, without the
 * prefix), recursively, lists included. `masked` lists the context keys / paths replaced,
 * e.g. `auth_token`, `service_catalog[0].endpoints[0].token`.
 */
export function redactContext(ctx: Record<string, unknown>): { value: Record<string, unknown>; masked: string[] } {
  const w: Walk = { masked: [], nestedJson: false, keys: [] };
  const value = walk(ctx, null, 0, w) as Record<string, unknown>;
  return { value, masked: w.masked };
}

/** `"key": "value"` at any JSON string-escaping level (`\"key\": \"value\"` inside oslo.message). */
const JSON_STRING_MEMBER = /(\\*)"([^"\\]{1,200})\1"(\s*:\s*)\1"((?:(?!\1").)*)\1"/g;

/** Best-effort masking of text that is not (or no longer, e.g. truncated) valid JSON. */
function redactUnparsedText(text: string): { text: string; masked: string[] } {
  const masked = new Set<string>();
  let out = text.replace(JSON_STRING_MEMBER, (all, esc: string, key: string, colon: string, value: string) => {
    if (!isSecretKey(key) || value === '' || value === REDACTED) return all;
    masked.add(key);
    return `${esc}"${key}${esc}"${colon}${esc}"${REDACTED}${esc}"`;
  });
  const shaped = redactString(out);
  if (shaped !== out) masked.add('(token-shaped text)');
  out = shaped;
  return { text: out, masked: [...masked] };
}

/**
 * Masks secrets in a raw message body. Valid JSON is redacted structurally, including the
 * double-encoded `oslo.message` string and a reply's `failure` string; when anything was
 * masked it is re-serialized with Python's `json.dumps` layout so the raw view still looks
 * like the wire, and when nothing was, the text is returned unchanged. `masked` lists JSON
 * paths such as `oslo.message._context_auth_token`.
 *
 * Text that does not parse is masked with patterns instead (`"secret_key": "…"` members at
 * any escaping level, token shapes, URL passwords); `masked` then lists the secret key names
 * found and `(token-shaped text)`. Never throws.
 */
export function redactJsonText(text: string): { text: string; masked: string[] } {
  const parsed = parseWireJson(text);
  if (parsed === undefined) return redactUnparsedText(text);
  const w: Walk = { masked: [], nestedJson: true, keys: [] };
  const redacted = walk(parsed, null, 0, w);
  if (w.masked.length === 0) return { text, masked: [] };
  return { text: pythonJsonDumps(redacted), masked: w.masked };
}
