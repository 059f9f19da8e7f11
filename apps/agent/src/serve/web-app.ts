/**
 * Serves the built web app (apps/web/dist) with an SPA fallback: any GET outside /api and
 * /socket.io that is not a file gets index.html, so deep links work. When the web app is
 * not built, every page says how to build it (the API keeps working).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** apps/web/dist, found relative to this module (same depth in src/ and dist/). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>osloscope</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>osloscope agent is running</h1>
<p>The web app is not built yet. Build it from the repository root:</p>
<pre>npm run build -w @osloscope/web</pre>
<p>then reload this page. The HTTP API works already: try <a href="/api/health">/api/health</a>.</p>
</body></html>
`;

function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url === '/api' || url.startsWith('/socket.io');
}

/** Register static serving and the not-found handling for pages and the API. */
export async function registerWebApp(app: FastifyInstance, webRoot: string | null): Promise<void> {
  const built = webRoot !== null && existsSync(path.join(webRoot, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (isApiPath(url) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return reply.code(404).send({ error: `no route ${request.method} ${url}` });
    }
    // A missing asset (`/assets/x.js`) is a real 404, not the app shell.
    if (path.extname(url) !== '' && url !== '/index.html') {
      return reply.code(404).send({ error: `not found: ${url}` });
    }
    if (!built) return reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
