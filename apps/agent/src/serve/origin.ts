/**
 * Who may talk to the agent from a browser. The agent shows a cloud's traffic and (with
 * --allow-replay) publishes onto its broker, so a web page on another site must not reach it
 * through the operator's browser:
 *
 * - DNS rebinding: a page on `evil.example`, whose name is made to resolve to 127.0.0.1, sends
 *   `Host: evil.example` with its same-origin requests. The agent answers only to the names it
 *   is reached by: IP literals, `localhost`, and names the operator lists (--allowed-host).
 * - Cross-origin pages: browsers send `Origin`; websockets and simple POSTs are not stopped by
 *   CORS, so the stream and writes accept only the agent's own origin (Origin's host = Host).
 *   The vite dev server proxies with its own Host, so its pages are same-origin too.
 */
import { isIP } from 'node:net';

/** The hostname of a Host header (`name:port`, `[v6]:port`), lowercased; null when malformed. */
export function hostnameOf(host: string): string | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host.trim());
  return m?.[1] ? m[1].toLowerCase() : null;
}

/**
 * Whether a request's Host header names this agent: an IP literal (rebinding needs a name),
 * `localhost`, or one of `allowedNames`. No Host header (HTTP/1.0 clients, scripts) is allowed.
 */
export function isAllowedHost(host: string | undefined, allowedNames: ReadonlySet<string>): boolean {
  if (host === undefined || host === '') return true;
  const name = hostnameOf(host);
  if (name === null) return false;
  if (name === 'localhost' || allowedNames.has(name)) return true;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return isIP(bare) !== 0;
}

/** The answer to a request with an unknown Host: says what to do about it. */
export function unknownHostMessage(host: string | undefined): string {
  return `unknown Host '${host ?? ''}': osloscope answers only to its IP addresses, localhost and the names given with --allowed-host (protection against DNS rebinding)`;
}

/**
 * Allowed: no Origin header (not a browser: tests, scripts, curl) or the agent's own origin,
 * that is an Origin whose host is the request's Host header.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || origin === '') return true;
  if (host === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host.toLowerCase() === host.toLowerCase();
}
