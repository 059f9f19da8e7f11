/**
 * oslo.messaging transport URLs (oslo-wire-format §1.1):
 * `rabbit://[user[:pass]@]host[:port][,[user[:pass]@]host[:port]...]/[vhost][?opt=value&...]`.
 *
 * Parsing follows `oslo_messaging.TransportURL.parse` on top of Python's `urlparse`,
 * then applies the defaults the rabbit driver and kombu fill in (port 5672,
 * guest/guest, localhost, vhost `/`), so a parsed URL is exactly what a connection
 * would use. Passwords never appear in any printable form of a parsed URL.
 */

export const TRANSPORT_SCHEMES = ['rabbit', 'kombu', 'amqp'] as const;
export type TransportScheme = (typeof TRANSPORT_SCHEMES)[number];

export const DEFAULT_AMQP_PORT = 5672;
export const DEFAULT_MANAGEMENT_PORT = 15672;
/** What kombu uses when the URL gives no user / password / host. */
const DEFAULT_USER = 'guest';
const DEFAULT_PASSWORD = 'guest';
const DEFAULT_HOST = 'localhost';
/** What `redactTransportUrl` prints instead of a password. */
export const PASSWORD_MASK = '***';

/**
 * One broker of the failover list. `password` is a non-enumerable property: it can be
 * read, but JSON.stringify, object spread and console output leave it out.
 */
export interface TransportHost {
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

export interface TransportUrl {
  scheme: TransportScheme;
  /** Always at least one host (`rabbit://` means guest:guest@localhost:5672). */
  hosts: TransportHost[];
  /** Percent-decoded; `/` when the URL names none. */
  vhost: string;
  /** Driver options; repeated keys joined with `,` as oslo does. */
  query: Record<string, string>;
}

/** Thrown by `parseTransportUrl`: a transport URL is configuration, so bad input is an error. */
export class TransportUrlError extends Error {
  override name = 'TransportUrlError';
}

/** amqplib's `connect()` object form (declared here so shared does not depend on amqplib). */
export interface AmqpConnectOptions {
  protocol: 'amqp';
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  /** Seconds; from the URL's `heartbeat_timeout_threshold` when given (0 disables). */
  heartbeat?: number;
}

/**
 * Python's `urllib.parse.unquote`: `%XX` sequences decoded as UTF-8, malformed
 * escapes left as they are (decodeURIComponent would throw).
 */
function unquote(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodePercentRun);
}

/** Decodes a run of `%XX` escapes as UTF-8; invalid sequences become U+FFFD (errors='replace'). */
function decodePercentRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    let out = '';
    for (let i = 0; i < run.length;) {
      const lead = parseInt(run.slice(i + 1, i + 3), 16);
      const len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      try {
        out += decodeURIComponent(run.slice(i, i + len * 3));
        i += len * 3;
      } catch {
        out += '\uFFFD';
        i += 3;
      }
    }
    return out;
  }
}

/** `parse_qs` joined like oslo: `&`-separated, `+` is a space, blank values dropped, repeats joined with `,`. */
function parseQuery(q: string): Record<string, string> {
  const values = new Map<string, string[]>();
  for (const part of q.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue; // `?flag` without a value: parse_qs drops it
    const key = unquote(part.slice(0, eq).replaceAll('+', ' '));
    const value = unquote(part.slice(eq + 1).replaceAll('+', ' '));
    if (value === '') continue;
    const list = values.get(key) ?? [];
    list.push(value);
    values.set(key, list);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of values) out[k] = v.join(',');
  return out;
}

function parsePort(text: string, masked: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    const hint = text.includes(':') ? ' (IPv6 addresses must be written in [brackets])' : '';
    throw new TransportUrlError(`invalid port ${JSON.stringify(text)} in transport URL ${masked}${hint}`);
  }
  return Number(text);
}

function makeHost(hostname: string, port: number, username: string, password: string): TransportHost {
  const host = { hostname, port, username } as TransportHost;
  Object.defineProperty(host, 'password', { value: password, enumerable: false, writable: false });
  return Object.freeze(host);
}

/** One `[user[:pass]@]host[:port]` item of the netloc, as oslo's TransportURL.parse splits it. */
function parseHost(item: string, masked: string): TransportHost {
  let hostText = item;
  let username: string | null = null;
  let password: string | null = null;
  const at = item.lastIndexOf('@'); // rsplit('@', 1): an unencoded '@' stays in the password
  if (at >= 0) {
    const userinfo = item.slice(0, at);
    hostText = item.slice(at + 1);
    const colon = userinfo.indexOf(':');
    username = unquote(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    if (colon >= 0) password = unquote(userinfo.slice(colon + 1));
  }

  let hostname = hostText;
  let portText = '';
  if (hostText.startsWith('[')) {
    const end = hostText.indexOf(']');
    if (end < 0) throw new TransportUrlError(`invalid IPv6 host (missing "]") in transport URL ${masked}`);
    hostname = hostText.slice(1, end);
    const rest = hostText.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) {
      throw new TransportUrlError(`unexpected text after IPv6 host in transport URL ${masked}`);
    }
    portText = rest.slice(1);
  } else if (hostText.includes(':')) {
    const colon = hostText.indexOf(':');
    hostname = hostText.slice(0, colon);
    portText = hostText.slice(colon + 1);
  }
  const port = portText === '' ? DEFAULT_AMQP_PORT : parsePort(portText, masked);
  // kombu treats empty user/password like missing ones.
  return makeHost(hostname || DEFAULT_HOST, port, username || DEFAULT_USER, password || DEFAULT_PASSWORD);
}

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

/**
 * Parses an oslo transport URL. Throws `TransportUrlError` (whose message never contains
 * a password) for a missing or unsupported scheme, a bad port or an unclosed IPv6 bracket.
 */
export function parseTransportUrl(url: string): TransportUrl {
  // urlsplit drops tabs and newlines and strips leading/trailing blanks.
  const text = url.replace(/[\t\r\n]/g, '').trim();
  const masked = maskUrlCredentials(text);
  const m = URL_SHAPE.exec(text);
  if (!m) {
    throw new TransportUrlError(`not a transport URL (expected rabbit://user:pass@host:port/vhost): ${masked}`);
  }
  const scheme = (m[1] ?? '').toLowerCase();
  if (!(TRANSPORT_SCHEMES as readonly string[]).includes(scheme)) {
    throw new TransportUrlError(`unsupported transport scheme "${scheme}" (expected one of ${TRANSPORT_SCHEMES.join(', ')}): ${masked}`);
  }
  const netloc = m[2] ?? '';
  const path = m[3] ?? '';
  const hosts = netloc
    .split(',')
    .filter((item) => item !== '')
    .map((item) => parseHost(item, masked));
  if (hosts.length === 0) hosts.push(makeHost(DEFAULT_HOST, DEFAULT_AMQP_PORT, DEFAULT_USER, DEFAULT_PASSWORD));

  // Path without its leading '/'; '' (or no path) means the default vhost '/'.
  const vhost = unquote(path.startsWith('/') ? path.slice(1) : path) || '/';
  const parsed: TransportUrl = {
    scheme: scheme as TransportScheme,
    hosts,
    vhost,
    query: parseQuery(m[4] ?? ''),
  };
  // String(url) / `${url}` print the redacted form; non-enumerable so JSON keeps its shape.
  Object.defineProperty(parsed, 'toString', { value: () => formatTransportUrl(parsed), enumerable: false });
  return parsed;
}

function hostForUrl(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

/** `host:port` of a broker host (an IPv6 address in brackets), without credentials. */
export function hostPortOf(host: TransportHost): string {
  return `${hostForUrl(host.hostname)}:${host.port}`;
}

function formatTransportUrl(url: TransportUrl): string {
  const netloc = url.hosts.map((h) => `${encodeURIComponent(h.username)}:${PASSWORD_MASK}@${hostPortOf(h)}`).join(',');
  const path = url.vhost === '/' ? '/' : '/' + encodeURIComponent(url.vhost);
  const query = Object.entries(url.query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${url.scheme}://${netloc}${path}${query ? '?' + query : ''}`;
}

/**
 * Masks the password of every `user:pass@` in URLs found anywhere in `text`
 * (each host of a multi-host netloc included). Used for error messages and logs
 * where the text may not even parse.
 */
export function maskUrlCredentials(text: string, mask: string = PASSWORD_MASK): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#\s"'<>]*)/g, (_all, prefix: string, netloc: string) => {
    const hosts = netloc.split(',').map((item) => {
      const at = item.lastIndexOf('@');
      if (at < 0) return item;
      const userinfo = item.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon < 0 || colon === userinfo.length - 1) return item;
      return `${userinfo.slice(0, colon + 1)}${mask}${item.slice(at)}`;
    });
    return prefix + hosts.join(',');
  });
}

/**
 * Printable form of a transport URL with every password shown as `***` (defaults applied,
 * so a URL without credentials prints `guest:***@`). Never throws: text that does not
 * parse is printed with its `user:pass@` passwords masked.
 */
export function redactTransportUrl(url: string | TransportUrl): string {
  if (typeof url !== 'string') return formatTransportUrl(url);
  try {
    return formatTransportUrl(parseTransportUrl(url));
  } catch {
    return maskUrlCredentials(url);
  }
}

function hostAt(url: TransportUrl, hostIndex: number): TransportHost {
  const host = url.hosts[hostIndex];
  if (!host) {
    throw new TransportUrlError(`host index ${hostIndex} out of range: the transport URL has ${url.hosts.length} host(s)`);
  }
  return host;
}

/** amqplib connect options for one host of the failover list. */
export function toAmqpConnectOptions(url: string | TransportUrl, hostIndex = 0): AmqpConnectOptions {
  const parsed = typeof url === 'string' ? parseTransportUrl(url) : url;
  const host = hostAt(parsed, hostIndex);
  const opts: AmqpConnectOptions = {
    protocol: 'amqp',
    hostname: host.hostname,
    port: host.port,
    username: host.username,
    password: host.password,
    vhost: parsed.vhost,
  };
  // The rabbit driver negotiates heartbeat_timeout_threshold as the AMQP heartbeat.
  const hb = parsed.query['heartbeat_timeout_threshold'];
  if (hb !== undefined && /^\d+$/.test(hb)) opts.heartbeat = Number(hb);
  return opts;
}

/** RabbitMQ management API base URL on the same host, e.g. `http://[::1]:15672`. */
export function managementUrlFor(url: string | TransportUrl, hostIndex = 0): string {
  const parsed = typeof url === 'string' ? parseTransportUrl(url) : url;
  return `http://${hostForUrl(hostAt(parsed, hostIndex).hostname)}:${DEFAULT_MANAGEMENT_PORT}`;
}
