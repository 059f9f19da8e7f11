import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  TransportUrlError,
  managementUrlFor,
  maskUrlCredentials,
  parseTransportUrl,
  redactTransportUrl,
  toAmqpConnectOptions,
  type TransportUrl,
} from './transport-url.js';

/** Hosts with their (non-enumerable) passwords made visible, for assertions. */
function hostsOf(url: TransportUrl) {
  return url.hosts.map((h) => ({ hostname: h.hostname, port: h.port, username: h.username, password: h.password }));
}

describe('parseTransportUrl', () => {
  it('parses the fixture capture URL', () => {
    const url = parseTransportUrl('rabbit://guest:guest@127.0.0.1:5672/');
    expect(url.scheme).toBe('rabbit');
    expect(hostsOf(url)).toEqual([{ hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest' }]);
    expect(url.vhost).toBe('/');
    expect(url.query).toEqual({});
  });

  it('uses guest:guest@localhost:5672 when no host is given', () => {
    const url = parseTransportUrl('rabbit://');
    expect(hostsOf(url)).toEqual([{ hostname: 'localhost', port: 5672, username: 'guest', password: 'guest' }]);
    expect(url.vhost).toBe('/');
  });

  it('defaults the port to 5672 and missing credentials to guest', () => {
    expect(hostsOf(parseTransportUrl('rabbit://rabbit1/'))).toEqual([{ hostname: 'rabbit1', port: 5672, username: 'guest', password: 'guest' }]);
    // user without password, and empty password: kombu falls back to guest
    expect(parseTransportUrl('rabbit://nova@h').hosts[0]?.password).toBe('guest');
    expect(parseTransportUrl('rabbit://nova:@h').hosts[0]?.username).toBe('nova');
  });

  it.each([
    ['rabbit://h', '/'],
    ['rabbit://h/', '/'],
    ['rabbit://h//', '/'],
    ['rabbit://h/%2F', '/'],
    ['rabbit://h/nova', 'nova'],
    ['rabbit://h/a%2Fb', 'a/b'],
    ['rabbit://h/%E2%82%AC', '€'],
  ])('%s has vhost %j', (text, vhost) => {
    expect(parseTransportUrl(text).vhost).toBe(vhost);
  });

  it('splits multiple hosts, each with its own credentials, IPv6 in brackets', () => {
    const url = parseTransportUrl('rabbit://nova:s3cr%40t%3Ax@rabbit1:5672,nova2:p%2Fw@[fd00::12]:5674,ops:pw@rabbit2/nova');
    expect(hostsOf(url)).toEqual([
      { hostname: 'rabbit1', port: 5672, username: 'nova', password: 's3cr@t:x' },
      { hostname: 'fd00::12', port: 5674, username: 'nova2', password: 'p/w' },
      { hostname: 'rabbit2', port: 5672, username: 'ops', password: 'pw' },
    ]);
    expect(url.vhost).toBe('nova');
  });

  it('IPv6 without a port gets the default port', () => {
    expect(hostsOf(parseTransportUrl('rabbit://u:p@[::1]/'))).toEqual([{ hostname: '::1', port: 5672, username: 'u', password: 'p' }]);
  });

  it('keeps an unencoded "@" in the password (oslo splits on the last "@")', () => {
    expect(parseTransportUrl('rabbit://u:p@@h/x').hosts[0]?.password).toBe('p@');
  });

  it('percent-decodes user and password as UTF-8, replacing invalid bytes', () => {
    const host = parseTransportUrl('rabbit://%C3%A9:%FF@h/').hosts[0];
    expect(host?.username).toBe('é');
    expect(host?.password).toBe('\uFFFD');
  });

  it('joins repeated query keys with "," and decodes "+" and escapes', () => {
    const url = parseTransportUrl('kombu://h:5671/x?a=b+c&a=%20d&heartbeat_timeout_threshold=30&empty=&flag');
    expect(url.scheme).toBe('kombu');
    expect(url.query).toEqual({ a: 'b c, d', heartbeat_timeout_threshold: '30' });
  });

  it('accepts the amqp scheme and an upper-case scheme', () => {
    expect(parseTransportUrl('amqp://h').scheme).toBe('amqp');
    expect(parseTransportUrl('RABBIT://h').scheme).toBe('rabbit');
  });

  it.each([
    ['kafka://u:hunter2@h:9092/', /unsupported transport scheme "kafka"/],
    ['rabbit:/h', /not a transport URL/],
    ['rabbit.example.com:5672', /not a transport URL/],
    ['', /not a transport URL/],
    ['rabbit://u:hunter2@h:56x72/', /invalid port "56x72"/],
    ['rabbit://u:hunter2@h:70000/', /invalid port "70000"/],
    ['rabbit://u:hunter2@::1:5672/', /IPv6 addresses must be written in \[brackets\]/],
    ['rabbit://u:hunter2@[::1:5672/', /missing "\]"/],
  ])('rejects %j with a clear TransportUrlError', (text, message) => {
    let error: unknown;
    try {
      parseTransportUrl(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportUrlError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('password never printable', () => {
  const url = parseTransportUrl('rabbit://nova:hunter2@rabbit1:5672,ops:sw0rdfish@[::1]:5673/nova');

  it('JSON.stringify leaves passwords out', () => {
    const json = JSON.stringify(url);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('sw0rdfish');
    expect(JSON.parse(json)).toEqual({
      scheme: 'rabbit',
      hosts: [
        { hostname: 'rabbit1', port: 5672, username: 'nova' },
        { hostname: '::1', port: 5673, username: 'ops' },
      ],
      vhost: 'nova',
      query: {},
    });
  });

  it('String() and template literals print the redacted URL', () => {
    expect(String(url)).toBe('rabbit://nova:***@rabbit1:5672,ops:***@[::1]:5673/nova');
    expect(`${url}`).not.toContain('hunter2');
  });

  it('console output (util.inspect) leaves passwords out', () => {
    const printed = inspect(url, { depth: 5 });
    expect(printed).toContain('rabbit1');
    expect(printed).not.toContain('hunter2');
  });

  it('spreading a host drops the password', () => {
    expect({ ...url.hosts[0] }).toEqual({ hostname: 'rabbit1', port: 5672, username: 'nova' });
  });
});

describe('redactTransportUrl', () => {
  it('prints every password as ***, with defaults applied', () => {
    expect(redactTransportUrl('rabbit://nova:s3cr%40t@r1,u2:x@r2:5673/%2F?ssl=1&ssl=2')).toBe('rabbit://nova:***@r1:5672,u2:***@r2:5673/?ssl=1%2C2');
    expect(redactTransportUrl('rabbit://')).toBe('rabbit://guest:***@localhost:5672/');
  });

  it('encodes special characters so the output parses back to the same URL', () => {
    const original = parseTransportUrl('rabbit://us%40er:pw@h/my%2Fvhost');
    const printed = redactTransportUrl(original);
    expect(printed).toBe('rabbit://us%40er:***@h:5672/my%2Fvhost');
    const reparsed = parseTransportUrl(printed);
    expect(reparsed.hosts[0]?.username).toBe('us@er');
    expect(reparsed.vhost).toBe('my/vhost');
  });

  it('masks credentials of URLs that do not parse, without throwing', () => {
    expect(redactTransportUrl('kafka://u:hunter2@h1,v:pw2@h2/')).toBe('kafka://u:***@h1,v:***@h2/');
  });
});

describe('maskUrlCredentials', () => {
  it('masks URLs embedded in text, including db URLs', () => {
    expect(maskUrlCredentials('connect to mysql+pymysql://nova:dbpass@db/nova failed; rabbit://a:b@c/ too', '#')).toBe(
      'connect to mysql+pymysql://nova:#@db/nova failed; rabbit://a:#@c/ too',
    );
  });

  it('leaves URLs without passwords alone', () => {
    const text = 'http://controller:5000/v3 and rabbit://nova@h/';
    expect(maskUrlCredentials(text)).toBe(text);
  });
});

describe('toAmqpConnectOptions', () => {
  it('gives amqplib options for the chosen host', () => {
    const url = 'rabbit://nova:s3cr%40t@rabbit1,ops:pw@[fd00::1]:5673/nova?heartbeat_timeout_threshold=30';
    expect(toAmqpConnectOptions(url, 1)).toEqual({
      protocol: 'amqp',
      hostname: 'fd00::1',
      port: 5673,
      username: 'ops',
      password: 'pw',
      vhost: 'nova',
      heartbeat: 30,
    });
    expect(toAmqpConnectOptions(parseTransportUrl(url))).toMatchObject({ hostname: 'rabbit1', password: 's3cr@t' });
  });

  it('uses vhost "/" and no heartbeat by default', () => {
    expect(toAmqpConnectOptions('rabbit://')).toEqual({
      protocol: 'amqp',
      hostname: 'localhost',
      port: 5672,
      username: 'guest',
      password: 'guest',
      vhost: '/',
    });
  });

  it('refuses a host index that does not exist', () => {
    expect(() => toAmqpConnectOptions('rabbit://h1,h2/', 2)).toThrow(/host index 2 out of range: .* 2 host/);
  });
});

describe('managementUrlFor', () => {
  it('points at port 15672 of the host, bracketing IPv6', () => {
    const url = parseTransportUrl('rabbit://u:p@rabbit1:5671,u:p@[fd00::1]/');
    expect(managementUrlFor(url)).toBe('http://rabbit1:15672');
    expect(managementUrlFor(url, 1)).toBe('http://[fd00::1]:15672');
  });
});
