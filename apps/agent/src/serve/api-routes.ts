/**
 * The JSON HTTP API under /api (docs/http-api.md). Every error is `{ error }` JSON with a
 * 4xx/5xx status. Routes that need more than the capture (POST /api/replay) plug in through
 * `HttpServerOptions.extraRoutes`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HealthReport } from '@osloscope/shared';
import type { Logger } from '../log.js';
import { ReadOnlyCaptureError, type CaptureService } from '../ports/capture-service.js';
import { BodyTooLargeError, LineTooLongError, ndjsonLines } from './ndjson-lines.js';
import { isAllowedOrigin } from './origin.js';
import { parseFilterQuery, parsePageQuery, parseRecordId, searchParamsOf, type Parsed } from './query-params.js';

/** POST /api/import accepts bodies up to this size. @default 512 MiB */
export const DEFAULT_IMPORT_LIMIT_BYTES = 512 * 1024 * 1024;
/**
 * NDJSON only: `text/plain` (what an HTML form can send from any site) is refused, so no other
 * page can plant messages in the capture through the operator's browser (CSRF).
 */
const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson'];
// Export writes are grouped so a large export is not one syscall per record.
const EXPORT_CHUNK_BYTES = 64 * 1024;

export interface ApiDeps {
  capture: CaptureService;
  health: () => HealthReport;
  logger: Logger;
  importLimitBytes?: number;
}

function badRequest<T>(reply: FastifyReply, parsed: Parsed<T>): parsed is { ok: false; error: string } {
  if (parsed.ok) return false;
  void reply.code(400).send({ error: parsed.error });
  return true;
}

export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { capture } = deps;
  const importLimit = deps.importLimitBytes ?? DEFAULT_IMPORT_LIMIT_BYTES;

  // Import bodies are consumed as a stream (line by line), never buffered whole. Without a
  // text/plain parser, fastify answers such a body 415 before any route runs.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(NDJSON_TYPES, (_request, payload, done) => done(null, payload));

  app.get('/api/health', async () => deps.health());

  app.get('/api/envelopes', async (request, reply) => {
    const params = searchParamsOf(request.url);
    const filter = parseFilterQuery(params);
    if (badRequest(reply, filter)) return reply;
    const page = parsePageQuery(params);
    if (badRequest(reply, page)) return reply;
    return capture.query(filter.value, page.value);
  });

  app.get<{ Params: { id: string } }>('/api/envelopes/:id', async (request, reply) => {
    const id = parseRecordId(request.params.id);
    if (badRequest(reply, id)) return reply;
    const detail = capture.get(id.value);
    if (!detail) return reply.code(404).send({ error: `envelope ${id.value} not found` });
    return detail;
  });

  app.get('/api/flows', async (request, reply) => {
    const filter = parseFilterQuery(searchParamsOf(request.url));
    if (badRequest(reply, filter)) return reply;
    return capture.flows(filter.value);
  });

  app.get('/api/versions', async (request, reply) => {
    const filter = parseFilterQuery(searchParamsOf(request.url));
    if (badRequest(reply, filter)) return reply;
    return capture.versions(filter.value);
  });

  app.get('/api/gaps', async () => capture.gaps());

  app.get('/api/export', async (request, reply) => {
    const filter = parseFilterQuery(searchParamsOf(request.url));
    if (badRequest(reply, filter)) return reply;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // Written straight to the socket: exportNdjson produces lines synchronously, so
    // nothing but the current chunk is held by us.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="osloscope-${stamp}.ndjson"`,
      'cache-control': 'no-store',
    });
    let chunk = '';
    try {
      const trailer = capture.exportNdjson(filter.value, (line) => {
        chunk += line + '\n';
        if (chunk.length >= EXPORT_CHUNK_BYTES) {
          raw.write(chunk);
          chunk = '';
        }
      });
      raw.end(chunk);
      if (trailer.missing > 0) deps.logger.warn('export left out records whose raw events are lost', { ...trailer });
      else deps.logger.info('export finished', { lines: trailer.lines });
    } catch (err) {
      // Headers are gone already: end the stream early; the client sees a short file.
      deps.logger.error('export failed', { error: err });
      raw.destroy();
    }
    return reply;
  });

  app.post('/api/import', async (request, reply) => {
    if (!isAllowedOrigin(request.headers.origin, request.headers.host)) {
      return reply.code(403).send({ error: 'imports are only accepted from the osloscope web app or from scripts (no Origin)' });
    }
    const body = request.body;
    if (!isAsyncIterable(body)) {
      return reply.code(415).send({ error: `send NDJSON with content-type ${NDJSON_TYPES.join(' or ')}` });
    }
    try {
      const result = await capture.importNdjson(ndjsonLines(body, importLimit));
      deps.logger.info('import finished', result);
      return result;
    } catch (err) {
      if (err instanceof BodyTooLargeError || err instanceof LineTooLongError) return reply.code(413).send({ error: err.message });
      if (err instanceof ReadOnlyCaptureError) return reply.code(409).send({ error: err.message });
      throw err;
    }
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
