/**
 * HTTP routes of replay (docs/http-api.md "Replay"): preview, send, audit. Registered
 * even when replay is disabled, so the UI gets the explanation (403) instead of a 404.
 * Only same-origin / loopback pages may call them: a foreign page must not make the
 * agent publish.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAllowedOrigin } from '../serve/origin.js';
import { parseReplayInput, replayPreviewSchema, replaySendSchema } from './replay-request.js';
import type { ReplayAnswer, ReplayService } from './replay-service.js';

function foreignOrigin(request: FastifyRequest, reply: FastifyReply): boolean {
  if (isAllowedOrigin(request.headers.origin, request.headers.host)) return false;
  void reply.code(403).send({ error: 'replay requests are only accepted from the osloscope web app' });
  return true;
}

function answer<T>(reply: FastifyReply, a: ReplayAnswer<T>): FastifyReply | T {
  if (a.ok) return a.value;
  if (a.retryAfterMs !== undefined) void reply.header('Retry-After', String(Math.max(1, Math.ceil(a.retryAfterMs / 1000))));
  return reply.code(a.status).send({ error: a.error });
}

/** `POST /api/replay/preview`, `POST /api/replay`, `GET /api/replay/audit`. */
export function registerReplayRoutes(app: FastifyInstance, replay: ReplayService): void {
  app.post('/api/replay/preview', async (request, reply) => {
    if (foreignOrigin(request, reply)) return reply;
    const parsed = parseReplayInput(replayPreviewSchema, request.body);
    if (!parsed.ok) return reply.code(replay.enabled ? 400 : 403).send({ error: replay.enabled ? parsed.error : replay.disabledMessage });
    return answer(reply, await replay.preview(parsed.value));
  });

  app.post('/api/replay', async (request, reply) => {
    if (foreignOrigin(request, reply)) return reply;
    const parsed = parseReplayInput(replaySendSchema, request.body);
    if (!parsed.ok) return reply.code(replay.enabled ? 400 : 403).send({ error: replay.enabled ? parsed.error : replay.disabledMessage });
    return answer(reply, await replay.send(parsed.value));
  });

  app.get('/api/replay/audit', async (request) => {
    const limit = Number(new URL(request.url, 'http://x').searchParams.get('limit') ?? '200');
    return { enabled: replay.enabled, items: replay.audit(Number.isInteger(limit) && limit > 0 ? Math.min(limit, 1000) : 200) };
  });
}
