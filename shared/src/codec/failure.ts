/**
 * A reply's `failure`: a JSON string (the third JSON level of the wire format) holding
 * oslo's serialized exception (oslo-wire-format §4.5).
 */
import type { DecodeError, RemoteFailure } from '../envelope.js';
import { parseBoundedJson } from './bounded-json.js';
import { decodeError, isPlainObject, wrongType } from './decode-error.js';
import { pythonJsonDumps } from './python-json.js';

const REMOTE_SUFFIX = '_Remote';

export type RemoteFailureResult = { ok: true; failure: RemoteFailure } | { ok: false; error: DecodeError };

/** Parse the `failure` string of a reply. Never throws. */
export function parseRemoteFailure(text: string, maxDepth: number): RemoteFailureResult {
  const parsed = parseBoundedJson(text, maxDepth, { tagOverflow: true });
  if (!parsed.ok) {
    return {
      ok: false,
      error:
        parsed.problem === 'too-deep'
          ? decodeError('too-deep', `failure nests deeper than ${maxDepth} levels (at position ${parsed.position})`)
          : decodeError('inner-not-json', `failure is not valid JSON at position ${parsed.position}: ${parsed.reason}`),
    };
  }
  const f = parsed.value;
  if (!isPlainObject(f)) return { ok: false, error: wrongType('failure', 'a JSON object', f) };

  const rawClass = f['class'];
  const rawModule = f['module'];
  const message = f['message'];
  if (typeof rawClass !== 'string') return { ok: false, error: wrongType('failure.class', 'a string', rawClass) };
  if (typeof rawModule !== 'string') return { ok: false, error: wrongType('failure.module', 'a string', rawModule) };
  if (typeof message !== 'string') return { ok: false, error: wrongType('failure.message', 'a string', message) };

  const tb = f['tb'] ?? [];
  if (!Array.isArray(tb)) return { ok: false, error: wrongType('failure.tb', 'an array of strings', tb) };
  for (let i = 0; i < tb.length; i++) {
    if (typeof tb[i] !== 'string') return { ok: false, error: wrongType(`failure.tb[${i}]`, 'a string', tb[i]) };
  }
  const args = f['args'] ?? [];
  if (!Array.isArray(args)) return { ok: false, error: wrongType('failure.args', 'an array', args) };
  const kwargs = f['kwargs'] ?? {};
  if (!isPlainObject(kwargs)) return { ok: false, error: wrongType('failure.kwargs', 'an object', kwargs) };

  // oslo strips the suffix of re-raised remote exceptions itself; older senders may not have.
  let cls = rawClass;
  let mod = rawModule;
  if (cls.endsWith(REMOTE_SUFFIX) && mod.endsWith(REMOTE_SUFFIX)) {
    cls = cls.slice(0, -REMOTE_SUFFIX.length);
    mod = mod.slice(0, -REMOTE_SUFFIX.length);
  }
  return {
    ok: true,
    failure: { class: cls, module: mod, message, traceback: tb as string[], args, kwargs },
  };
}

/** The `failure` string exactly as oslo's `serialize_remote_exception` writes it. */
export function serializeRemoteFailure(f: RemoteFailure): string {
  return pythonJsonDumps({
    class: f.class,
    module: f.module,
    message: f.message,
    tb: f.traceback,
    args: f.args,
    kwargs: f.kwargs,
  });
}
