/**
 * Which browser origins may open the socket.io stream. The agent usually listens on
 * 127.0.0.1 and shows captured traffic; any web page could otherwise connect to it from
 * the user's browser (websockets are not subject to CORS).
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Allowed: no Origin header (not a browser: tests, scripts), the agent's own host, or any
 * loopback origin (the vite dev server proxying to the agent).
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || origin === '') return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (host !== undefined && parsed.host === host) return true;
  return LOOPBACK.has(parsed.hostname);
}
