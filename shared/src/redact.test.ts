import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonJsonDumps } from './codec/python-json.js';
import { REDACTED, isSecretKey, redactContext, redactJsonText, redactString, redactValue } from './redact.js';

const FIXTURE = new URL('../test/fixtures/oslo-firehose-sample.jsonl', import.meta.url);
const fixtureLines = readFileSync(FIXTURE, 'utf8').trim().split('\n');

function fixtureBody(line: number): string {
  const ev = JSON.parse(fixtureLines[line - 1] ?? 'null') as { bodyBase64: string };
  return Buffer.from(ev.bodyBase64, 'base64').toString('utf8');
}

/** Shaped like a Keystone Fernet token (urlsafe base64 of 0x80 + timestamp + ...), 184 chars. */
const FERNET = 'gAAAAABnQ2h3' + 'xZk9Lr2Qe-VbT7_mWc1YpA0sNdUf4HgJiKoE8lRtX6yZaB3qCvD5nMwS'.repeat(3) + 'P0dQ';
/** Shaped like a Keystone PKI token (base64 CMS, `-` for `/`). */
const PKI = 'MIIKdwYJKoZIhvcNAQcCoIIKaDCCCmQCAQExDTALBglghkgBZQMEAgEwggjFBgkqhkiG9w0BBwGgggi2BIIIsnsiYWNjZXNz' + 'IjogeyJ0b2tlbiI6IHsiaXNzdWVkX2F0-'.repeat(3);

/** A context as nova's RequestContext.to_dict() sends it (trimmed). */
function novaContext(): Record<string, unknown> {
  return {
    user_id: '2f1e7b1c9d3a4e5f8a6b7c8d9e0f1a2b',
    project_id: '8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f',
    is_admin: false,
    read_deleted: 'no',
    remote_address: '10.0.0.15',
    timestamp: '2026-11-29T17:32:32.501119',
    quota_class: null,
    user_name: 'demo',
    project_name: 'demo',
    auth_token: FERNET,
    request_id: 'req-3f1c2b7a-9d8e-4f6a-b5c4-d3e2f1a0b9c8',
    global_request_id: null,
    roles: ['member', 'reader'],
    service_catalog: [
      {
        type: 'volumev3',
        name: 'cinderv3',
        endpoints: [{ region: 'RegionOne', publicURL: 'http://controller:8776/v3/8c9d0e1f' }],
      },
      { type: 'image', name: 'glance', endpoints: [{ region: 'RegionOne', token: FERNET }] },
    ],
    user_identity: '2f1e7b1c 8c9d0e1f - default default',
    is_admin_project: true,
  };
}

describe('isSecretKey', () => {
  it.each([
    'auth_token',
    '_context_auth_token',
    'token',
    'X-Auth-Token',
    'authToken',
    'password',
    'admin_password',
    'adminPass',
    'new_pass',
    'db_passwd',
    'secret',
    'private_key',
    'api_key',
    'access_key',
    'secret_key',
    'credentials',
    'ec2_credential',
  ])('%s is a secret', (key) => expect(isSecretKey(key)).toBe(true));

  it.each(['key_name', 'key', 'token_type', 'password_length', 'request_id', 'user_identity', 'keypair', 'bypass'])('%s is not a secret', (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
});

describe('redactContext', () => {
  it('masks the auth token and token-shaped values in a nova context, nothing else', () => {
    const ctx = novaContext();
    const { value, masked } = redactContext(ctx);
    expect(value['auth_token']).toBe(REDACTED);
    expect(masked).toEqual(['auth_token', 'service_catalog[1].endpoints[0].token']);
    expect(JSON.stringify(value)).not.toContain(FERNET);
    // everything else is shown as sent
    expect({ ...value, auth_token: FERNET, service_catalog: ctx['service_catalog'] }).toEqual(ctx);
    expect(value['service_catalog']).toEqual([
      (ctx['service_catalog'] as unknown[])[0],
      { type: 'image', name: 'glance', endpoints: [{ region: 'RegionOne', token: REDACTED }] },
    ]);
  });

  it('does not modify its input', () => {
    const ctx = novaContext();
    redactContext(ctx);
    expect(ctx['auth_token']).toBe(FERNET);
  });

  it('keeps null and empty secrets as they are (no token was sent)', () => {
    const { value, masked } = redactContext({ auth_token: null, password: '', credentials: {}, secret: false });
    expect(value).toEqual({ auth_token: null, password: '', credentials: {}, secret: false });
    expect(masked).toEqual([]);
  });

  it('masks whole secret values of any non-blank shape, including in lists', () => {
    const { value, masked } = redactContext({
      credentials: { access: 'AKIA', secret: 'x' },
      users: [
        { name: 'a', password: 'pw1' },
        { name: 'b', password: 12345 },
      ],
    });
    expect(value).toEqual({
      credentials: REDACTED,
      users: [
        { name: 'a', password: REDACTED },
        { name: 'b', password: REDACTED },
      ],
    });
    expect(masked).toEqual(['credentials', 'users[0].password', 'users[1].password']);
  });

  it('masks token shapes under innocent keys', () => {
    const { value, masked } = redactContext({
      note: `X-Auth-Token: ${FERNET} was rejected`,
      header: 'Authorization: Bearer abc.def-123',
      pki: PKI,
      jwt: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl',
    });
    expect(value).toEqual({
      note: `X-Auth-Token: ${REDACTED} was rejected`,
      header: `Authorization: Bearer ${REDACTED}`,
      pki: REDACTED,
      jwt: REDACTED,
    });
    expect(masked).toEqual(['note', 'header', 'pki', 'jwt']);
  });

  it('masks transport URL passwords inside strings', () => {
    const { value, masked } = redactContext({ transport: 'rabbit://nova:hunter2@r1:5672,ops:pw@r2//' });
    expect(value['transport']).toBe(`rabbit://nova:${REDACTED}@r1:5672,ops:${REDACTED}@r2//`);
    expect(masked).toEqual(['transport']);
  });

  it('is idempotent: redacting a redacted context masks nothing new', () => {
    const once = redactContext(novaContext()).value;
    const twice = redactContext(once);
    expect(twice.value).toEqual(once);
    expect(twice.masked).toEqual([]);
  });
});

describe('redactValue', () => {
  it('masks nova rebuild args (admin_password) and leaves ids and key names', () => {
    const { value, masked } = redactValue({
      instance: { uuid: '7a4b', key_name: 'mykey' },
      admin_password: 'Sup3rS3cret',
      image_ref: 'c0ffee',
    });
    expect(value).toEqual({
      instance: { uuid: '7a4b', key_name: 'mykey' },
      admin_password: REDACTED,
      image_ref: 'c0ffee',
    });
    expect(masked).toEqual(['admin_password']);
  });

  it('leaves short base64 and hex ids alone', () => {
    const ids = { msg: 'a70209202cb740a9b864a75acf5222e3', b64: 'gAAAAABshort', cert_id: 'MIIsmall' };
    expect(redactValue(ids)).toEqual({ value: ids, masked: [] });
  });
});

describe('redactString', () => {
  it('masks a PEM private key but not a certificate', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(redactString(`key:\n${pem}\n`)).toBe(`key:\n${REDACTED}\n`);
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBkTCB\n-----END CERTIFICATE-----';
    expect(redactString(cert)).toBe(cert);
  });
});

describe('redactJsonText', () => {
  it('returns a fixture body with a null auth_token unchanged, byte for byte', () => {
    const body = fixtureBody(1);
    expect(body).toContain('\\"_context_auth_token\\": null');
    expect(redactJsonText(body)).toEqual({ text: body, masked: [] });
  });

  it('masks _context_auth_token inside the double-encoded oslo.message, keeping the wire layout', () => {
    const body = fixtureBody(1);
    const withToken = body.replace('\\"_context_auth_token\\": null', `\\"_context_auth_token\\": \\"${FERNET}\\"`);
    const { text, masked } = redactJsonText(withToken);
    expect(masked).toEqual(['oslo.message._context_auth_token']);
    // Same bytes as the wire except the token.
    expect(text).toBe(withToken.replace(FERNET, REDACTED));
  });

  it('masks secrets in args and in a reply failure (JSON a third time)', () => {
    const failure = pythonJsonDumps({
      class: 'Unauthorized',
      module: 'keystoneauth1.exceptions.http',
      message: 'The request you have made requires authentication.',
      tb: ['Traceback (most recent call last):\n', `  token=${FERNET}\n`],
      args: [],
      kwargs: { password: 'pw' },
    });
    const inner = pythonJsonDumps({ result: null, failure, ending: true, _msg_id: 'a7', _unique_id: 'b8' });
    const body = pythonJsonDumps({ 'oslo.version': '2.0', 'oslo.message': inner });
    const { text, masked } = redactJsonText(body);
    expect(masked).toEqual(['oslo.message.failure.tb[1]', 'oslo.message.failure.kwargs.password']);
    expect(text).not.toContain(FERNET);
    const outer = JSON.parse(text) as Record<string, string>;
    const decodedInner = JSON.parse(outer['oslo.message'] ?? '') as Record<string, string>;
    const decodedFailure = JSON.parse(decodedInner['failure'] ?? '') as Record<string, unknown>;
    expect(decodedFailure['kwargs']).toEqual({ password: REDACTED });
    expect(decodedFailure['tb']).toEqual(['Traceback (most recent call last):\n', `  token=${REDACTED}\n`]);
    expect(decodedFailure['message']).toBe('The request you have made requires authentication.');
  });

  it('masks a legacy 1.0 notification body (bare dict)', () => {
    const body = pythonJsonDumps({ event_type: 'x', _context_auth_token: FERNET, payload: { password: 'p' } });
    const { text, masked } = redactJsonText(body);
    expect(masked).toEqual(['_context_auth_token', 'payload.password']);
    expect(text).toBe(pythonJsonDumps({ event_type: 'x', _context_auth_token: REDACTED, payload: { password: REDACTED } }));
  });

  it('masks truncated (unparseable) bodies with patterns, at any escaping level', () => {
    const body = fixtureBody(1).replace('\\"_context_auth_token\\": null', `\\"_context_auth_token\\": \\"abc123\\"`);
    const truncated = body.slice(0, -30) + ` {"password": "pw"} rabbit://u:p@h/ ${FERNET}`;
    const { text, masked } = redactJsonText(truncated);
    expect(text).toContain(`\\"_context_auth_token\\": \\"${REDACTED}\\"`);
    expect(text).toContain(`{"password": "${REDACTED}"}`);
    expect(text).toContain(`rabbit://u:${REDACTED}@h/`);
    expect(text).not.toContain('abc123');
    expect(text).not.toContain(FERNET);
    expect(masked).toEqual(['_context_auth_token', 'password', '(token-shaped text)']);
  });

  it('never throws on garbage', () => {
    for (const t of ['', '{', '"\\', '\\\\\\"', 'null', '[1,2', '\u0000\uffff']) {
      expect(() => redactJsonText(t)).not.toThrow();
    }
    expect(redactJsonText('not json').text).toBe('not json');
  });
});

describe('redactString fast path', () => {
  it('still finds every token shape, in any case the pattern allows', () => {
    const pkiz = 'PKIZ_' + 'eJy9Vdtu4jAQ_Rc'.repeat(6);
    const cases = [
      `x ${pkiz} y`,
      'authorization: bearer abc.def-123',
      'AUTHORIZATION: BEARER abc.def-123',
      'amqp://user:secret@host:5672/',
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
    ];
    for (const c of cases) {
      const out = redactString(c);
      expect(out, c).toContain(REDACTED);
    }
    expect(redactString(`x ${pkiz} y`)).toBe(`x ${REDACTED} y`);
  });

  it('returns plain strings as they are', () => {
    for (const s of ['', 'ab', 'compute.instance.create', 'a70209202cb740a9b864a75acf5222e3', 'http://controller:8776/v3']) {
      expect(redactString(s)).toBe(s);
    }
  });
});

describe('isSecretKey answers', () => {
  it('stay the same when asked again, also after more distinct keys than it remembers', () => {
    const keys = ['auth_token', 'X-Auth-Token', 'adminPassword', 'key_name', 'token_type', 'key'];
    const first = keys.map(isSecretKey);
    expect(first).toEqual([true, true, true, false, false, false]);
    for (let i = 0; i < 12_000; i++) isSecretKey(`k${i}`);
    expect(keys.map(isSecretKey)).toEqual(first);
  });
});

describe('redactValue copies only what it masks', () => {
  it('gives back the very same value when there is nothing to mask', () => {
    const args = { instance: { uuid: 'a1', flavor: { vcpus: 2 }, tags: ['x', 'y'] }, host: 'cn-1' };
    const { value, masked } = redactValue(args);
    expect(value).toBe(args);
    expect(masked).toEqual([]);
  });

  it('copies the path to a secret and shares the untouched siblings', () => {
    const flavor = { vcpus: 2 };
    const args = { instance: { uuid: 'a1', flavor, admin_password: 'hunter2' }, hosts: [{ url: 'x' }] };
    const { value, masked } = redactValue(args);
    const out = value as typeof args;
    expect(masked).toEqual(['instance.admin_password']);
    expect(out).not.toBe(args);
    expect(out.instance.admin_password).toBe(REDACTED);
    expect(out.instance.flavor).toBe(flavor);
    expect(out.hosts).toBe(args.hosts);
    expect(args.instance.admin_password).toBe('hunter2');
    // Key order is kept.
    expect(Object.keys(out.instance)).toEqual(['uuid', 'flavor', 'admin_password']);
  });

  it('keeps a `__proto__` key of parsed JSON as an own property when copying', () => {
    const args = JSON.parse('{"__proto__": {"polluted": 1}, "password": "p"}') as Record<string, unknown>;
    const { value } = redactValue(args);
    const out = value as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"polluted":1},"password":"${REDACTED}"}`);
  });

  it('names the path of a secret deep in lists', () => {
    const { masked } = redactValue({ a: [[{ b: [0, { token: 't' }] }]] });
    expect(masked).toEqual(['a[0][0].b[1].token']);
  });
});

describe("redactJsonText on Python's json", () => {
  it('masks an oslo.message holding NaN structurally (it used to fail to parse and pass unmasked)', () => {
    const inner = '{"method": "m", "args": {"ratio": NaN, "admin_password": "hunter2-secret"}, "_context_auth_token": "tok-123", "_unique_id": "u"}';
    const body = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': inner });
    const { text, masked } = redactJsonText(body);
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('tok-123');
    expect(masked).toEqual(expect.arrayContaining(['oslo.message.args.admin_password', 'oslo.message._context_auth_token']));
    // The rest stays as oslo wrote it: NaN bare.
    expect(text).toContain('\\"ratio\\": NaN');
  });

  it('masks secret-keyed members by pattern in an oslo.message that is not JSON at all', () => {
    const body = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': '{"admin_password": "hunter2-secret", truncated' });
    expect(redactJsonText(body).text).not.toContain('hunter2-secret');
  });
});
