/**
 * The agent's one HTTP server: JSON API (/api), socket.io stream (/socket.io) and the
 * web app, all on the same origin.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { jsonOnlyParser } from './json-packet-encoder.js';
import type { HealthReport } from '@osloscope/shared';
import type { Logger } from '../log.js';
import type { CaptureService } from '../ports/capture-service.js';
import { registerApiRoutes } from './api-routes.js';
import { isAllowedHost, isAllowedOrigin } from './origin.js';
import { registerRequestGuards } from './security-headers.js';
import { attachStream, type StreamServer } from './stream.js';
import { DEFAULT_WEB_ROOT, registerWebApp } from './web-app.js';

export interface HttpServerOptions {
  capture: CaptureService;
  health: () => HealthReport;
  agentVersion: string;
  logger: Logger;
  host: string;
  /** 0 = pick a free port. */
  port: number;
  /** Host names (besides IP literals and localhost) the agent answers to: --allowed-host. */
  allowedHosts?: readonly string[];
  /** Built web app; `null` = never serve it. @default apps/web/dist */
  webRoot?: string | null;
  /** Stream tuning (tests). */
  stream?: { flushIntervalMs?: number; healthIntervalMs?: number; maxPending?: number };
  importLimitBytes?: number;
  /**
   * Extra routes (e.g. POST /api/replay when --allow-replay): registered after the API,
   * before the web app's catch-all, so they are reachable.
   */
  extraRoutes?: (app: FastifyInstance) => void | Promise<void>;
}

export interface RunningHttpServer {
  /** `http://<host>:<port>` with the port actually bound. */
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  io: StreamServer;
  close(): Promise<void>;
}

/** Start listening; resolves once the port is bound. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const app = Fastify({ logger: false });
  const allowedHosts = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  registerRequestGuards(app, allowedHosts);

  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      // Details go to the log (masked), never to the client.
      logger.error('request failed', { method: request.method, url: request.url.split('?')[0], error: error.message });
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: error.message ?? 'bad request' });
  });

  registerApiRoutes(app, {
    capture: options.capture,
    health: options.health,
    logger,
    ...(options.importLimitBytes !== undefined ? { importLimitBytes: options.importLimitBytes } : {}),
  });
  await options.extraRoutes?.(app);
  await registerWebApp(app, options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot);

  const io: StreamServer = new Server(app.server, {
    serveClient: false,
    parser: jsonOnlyParser,
    // Browsers let any page open a websocket to 127.0.0.1: only our own pages, reached by a name we answer to.
    allowRequest: (req, callback) => callback(null, isAllowedHost(req.headers.host, allowedHosts) && isAllowedOrigin(req.headers.origin, req.headers.host)),
  });
  const stream = attachStream(io, {
    capture: options.capture,
    health: options.health,
    agentVersion: options.agentVersion,
    logger,
    ...options.stream,
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${urlHost}:${port}`,
    host: options.host,
    port,
    app,
    io,
    async close() {
      stream.close();
      // io.close() also closes the http server; fastify's close then finds it closed.
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await app.close().catch(() => undefined);
    },
  };
}
