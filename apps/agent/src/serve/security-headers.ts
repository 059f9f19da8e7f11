/**
 * The agent's HTTP answers carry the headers a page showing secrets-adjacent data needs:
 * a strict Content-Security-Policy (scripts and connections only from the agent itself, so an
 * injected string in a captured message can never run or phone home), no framing
 * (clickjacking), no MIME sniffing, no Referer leaving the page. Requests whose Host the
 * agent does not answer to are refused before any route runs (origin.ts).
 */
import type { FastifyInstance } from 'fastify';
import { isAllowedHost, unknownHostMessage } from './origin.js';

/** Inline styles stay allowed: React and the chart/graph libraries set style attributes. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** Host check on every request, security headers on every answer. */
export function registerRequestGuards(app: FastifyInstance, allowedHosts: ReadonlySet<string>): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isAllowedHost(request.headers.host, allowedHosts)) return;
    // 421 Misdirected Request: this server is not the one the name was meant for.
    await reply.code(421).send({ error: unknownHostMessage(request.headers.host) });
  });
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
  });
}
