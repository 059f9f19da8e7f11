import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '@osloscope/shared';
import { fixtureRaws, openTestCore } from '../../test/support/capture-fixtures.js';
import { silentLogger } from '../../test/support/loggers.js';
import type { CaptureCore } from '../capture/capture-core.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

const T0 = 1_795_973_550_000;
let core: CaptureCore;
let server: RunningHttpServer;

/** node:http, because fetch does not let a caller choose the Host header (what a rebinding page does). */
function send(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const own = () => `127.0.0.1:${server.port}`;

beforeAll(async () => {
  core = openTestCore({ now: () => T0 + 3_600_000 });
  for (const raw of fixtureRaws(T0)) core.ingest(raw);
  core.flush();
  const health = () => ({ status: 'ok' }) as unknown as HealthReport;
  server = await startHttpServer({
    capture: core,
    health,
    agentVersion: 'test',
    logger: silentLogger,
    host: '127.0.0.1',
    port: 0,
    webRoot: null,
    allowedHosts: ['osloscope.example.org'],
  });
});

afterAll(async () => {
  await server.close();
  core.close();
});

describe('DNS rebinding: the Host header', () => {
  it.each(['/api/health', '/api/envelopes', '/api/export', '/'])('refuses %s for a name the agent does not answer to', async (path) => {
    const res = await send(path, { headers: { host: `evil.example:${server.port}` } });
    expect(res.status).toBe(421);
    expect(JSON.parse(res.text).error).toMatch(/unknown Host 'evil\.example:\d+'.*--allowed-host/);
    expect(res.text).not.toContain('"items"');
  });

  it.each([() => own(), () => `localhost:${server.port}`, () => `[::1]:${server.port}`, () => `OSLOSCOPE.example.org:${server.port}`])(
    'answers to IP literals, localhost and --allowed-host names (%#)',
    async (host) => {
      expect((await send('/api/health', { headers: { host: host() } })).status).toBe(200);
    },
  );

  it('refuses the live stream to an unknown Host and to a foreign page', async () => {
    const handshake = '/socket.io/?EIO=4&transport=polling';
    expect((await send(handshake, { headers: { host: own(), origin: `http://${own()}` } })).status).toBe(200);
    expect(
      (await send(handshake, { headers: { host: `evil.example:${server.port}`, origin: `http://evil.example:${server.port}` } })).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await send(handshake, { headers: { host: own(), origin: 'http://localhost:9999' } })).status).toBeGreaterThanOrEqual(400);
  });
});

describe('security headers', () => {
  it.each(['/api/health', '/api/envelopes', '/'])('%s carries a strict CSP, no framing, no sniffing, no referrer', async (path) => {
    const res = await send(path, { headers: { host: own() } });
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('CSRF on import', () => {
  const line = async () => (await send('/api/export', { headers: { host: own() } })).text.split('\n')[0]!;

  it('refuses a text/plain body (what any site can post with a form) and plants nothing', async () => {
    const before = core.counts().captured;
    const res = await send('/api/import', {
      method: 'POST',
      headers: { host: own(), origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: (await line()) + '\n',
    });
    expect(res.status).toBe(415);
    const same = await send('/api/import', { method: 'POST', headers: { host: own(), 'content-type': 'text/plain' }, body: (await line()) + '\n' });
    expect(same.status).toBe(415);
    expect(core.counts().captured).toBe(before);
  });

  it('refuses NDJSON from a foreign page, accepts it from the own page and from scripts', async () => {
    const body = (await line()) + '\n';
    const foreign = await send('/api/import', {
      method: 'POST',
      headers: { host: own(), origin: 'https://evil.example', 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(foreign.status).toBe(403);
    const page = await send('/api/import', {
      method: 'POST',
      headers: { host: own(), origin: `http://${own()}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(page.status).toBe(200);
    const script = await send('/api/import', { method: 'POST', headers: { host: own(), 'content-type': 'application/ndjson' }, body });
    expect(JSON.parse(script.text)).toEqual({ imported: 1, errors: 0 });
  });
});
