/**
 * Minimal typed client for the RabbitMQ management HTTP API (3.x): just what the
 * sources need. Uses Node's global fetch with basic auth and a per-request timeout.
 * Responses are validated field by field; a malformed item is skipped, never thrown on.
 * Errors are `ManagementError`s whose messages never contain credentials.
 */

export type ManagementErrorKind = 'unauthorized' | 'forbidden' | 'not-found' | 'http' | 'unreachable' | 'timeout' | 'bad-response';

export class ManagementError extends Error {
  override readonly name = 'ManagementError';
  constructor(
    readonly kind: ManagementErrorKind,
    message: string,
    /** HTTP status, `null` when no response arrived. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
  /** 401/403: the credentials may not do this (not an outage). */
  get isPermission(): boolean {
    return this.kind === 'unauthorized' || this.kind === 'forbidden';
  }
}

export interface VhostInfo {
  name: string;
  tracing: boolean;
  /** node → `running` | ... (empty when the API does not say). */
  clusterState: Record<string, string>;
  /** Kept so that switching tracing does not wipe them (a PUT replaces the whole vhost record). */
  description: string;
  tags: string[];
  defaultQueueType: string | null;
  /**
   * Messages published into the vhost since the broker started (`message_stats.publish`, summed
   * over the nodes, refreshed every ~5 s); null before the broker has statistics for it.
   */
  published: number | null;
}

export interface NodeInfo {
  name: string;
  running: boolean;
  /** How long the node has been running, ms (null when not reported). */
  uptimeMs: number | null;
}

export interface OverviewInfo {
  /** Node that served this request (the one `PUT /api/vhosts` acts on for tracing). */
  node: string | null;
  rabbitmqVersion: string | null;
}

export interface ConsumerInfo {
  queue: string;
  /** RabbitMQ connection name `"ip:port -> ip:port"` of the consuming channel. */
  connection: string | null;
  consumerTag: string | null;
}

export interface ConnectionInfo {
  /** RabbitMQ connection name `"ip:port -> ip:port"`. */
  name: string;
  /** Client-provided `connection_name` (oslo: `prog:pid:uuid`). */
  clientName: string | null;
  peerHost: string | null;
  user: string | null;
}

export interface ExchangeInfo {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
}

export interface ManagementClient {
  /** Base URL without credentials, for messages. */
  readonly baseUrl: string;
  getOverview(): Promise<OverviewInfo>;
  getVhost(vhost: string): Promise<VhostInfo>;
  getNodes(): Promise<NodeInfo[]>;
  getConsumers(vhost: string): Promise<ConsumerInfo[]>;
  getVhostConnections(vhost: string): Promise<ConnectionInfo[]>;
  getExchanges(vhost: string): Promise<ExchangeInfo[]>;
  /**
   * `PUT /api/vhosts/<vh>` with `{"tracing": on}` (acts on the node serving the request).
   * The vhost's description, tags and default queue type are read first and sent back
   * unchanged: RabbitMQ 3.10 replaces the whole record, so a bare `{"tracing": true}`
   * would silently wipe them.
   */
  setVhostTracing(vhost: string, on: boolean): Promise<void>;
}

export interface ManagementClientOptions {
  /** e.g. `http://host:15672` (credentials in the URL are used and stripped). */
  baseUrl: string;
  username?: string;
  password?: string;
  /** Per request. @default 5000 */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v: unknown, what: string): unknown[] => {
  if (!Array.isArray(v)) throw new ManagementError('bad-response', `${what}: expected a JSON array`);
  return v;
};

/** Parse `GET /api/vhosts/<vh>`. */
export function parseVhost(v: unknown): VhostInfo {
  if (!isObj(v) || typeof v['name'] !== 'string') throw new ManagementError('bad-response', 'vhost: expected an object with a name');
  const clusterState: Record<string, string> = {};
  const cs = v['cluster_state'];
  if (isObj(cs)) for (const [node, st] of Object.entries(cs)) if (typeof st === 'string') clusterState[node] = st;
  const tags = Array.isArray(v['tags']) ? v['tags'].filter((t): t is string => typeof t === 'string') : [];
  const dqt = str(v['default_queue_type']);
  const stats = v['message_stats'];
  return {
    name: v['name'],
    tracing: v['tracing'] === true,
    clusterState,
    description: str(v['description']) ?? '',
    tags,
    // 3.10 reports "undefined" when none was set; sending that back would set it.
    defaultQueueType: dqt && dqt !== 'undefined' ? dqt : null,
    published: isObj(stats) ? count(stats['publish']) : null,
  };
}

/** Parse `GET /api/nodes`. */
export function parseNodes(v: unknown): NodeInfo[] {
  const out: NodeInfo[] = [];
  for (const n of asList(v, 'nodes')) {
    if (!isObj(n) || typeof n['name'] !== 'string') continue;
    out.push({ name: n['name'], running: n['running'] !== false, uptimeMs: count(n['uptime']) });
  }
  return out;
}

/** Parse `GET /api/consumers/<vh>`. */
export function parseConsumers(v: unknown): ConsumerInfo[] {
  const out: ConsumerInfo[] = [];
  for (const c of asList(v, 'consumers')) {
    if (!isObj(c)) continue;
    // The API gives `queue: {name, vhost}`; trimmed snapshots give the bare name.
    const queue = isObj(c['queue']) ? str(c['queue']['name']) : str(c['queue']);
    if (queue === null) continue;
    const connection = isObj(c['channel_details']) ? str(c['channel_details']['connection_name']) : null;
    out.push({ queue, connection, consumerTag: str(c['consumer_tag']) });
  }
  return out;
}

/** Parse `GET /api/vhosts/<vh>/connections` (or `/api/connections`). */
export function parseConnections(v: unknown): ConnectionInfo[] {
  const out: ConnectionInfo[] = [];
  for (const c of asList(v, 'connections')) {
    if (!isObj(c) || typeof c['name'] !== 'string') continue;
    const props = isObj(c['client_properties']) ? c['client_properties'] : {};
    out.push({
      name: c['name'],
      clientName: str(props['connection_name']) ?? str(c['user_provided_name']),
      peerHost: str(c['peer_host']),
      user: str(c['user']),
    });
  }
  return out;
}

/** Parse `GET /api/exchanges/<vh>`. */
export function parseExchanges(v: unknown): ExchangeInfo[] {
  const out: ExchangeInfo[] = [];
  for (const e of asList(v, 'exchanges')) {
    if (!isObj(e) || typeof e['name'] !== 'string' || typeof e['type'] !== 'string') continue;
    out.push({
      name: e['name'],
      type: e['type'],
      durable: e['durable'] === true,
      autoDelete: e['auto_delete'] === true,
      internal: e['internal'] === true,
    });
  }
  return out;
}

export function parseOverview(v: unknown): OverviewInfo {
  if (!isObj(v)) throw new ManagementError('bad-response', 'overview: expected an object');
  return { node: str(v['node']), rabbitmqVersion: str(v['rabbitmq_version']) };
}

/** Strip credentials and trailing slashes from a management base URL. */
export function splitManagementUrl(raw: string): { baseUrl: string; username?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Keep going with the raw string: requests will fail as 'unreachable' and say so in health.
    return { baseUrl: raw.replace(/\/+$/, '') };
  }
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  const baseUrl = u.toString().replace(/\/+$/, '');
  return { baseUrl, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}

export function createManagementClient(opts: ManagementClientOptions): ManagementClient {
  const split = splitManagementUrl(opts.baseUrl);
  const baseUrl = split.baseUrl;
  const username = opts.username ?? split.username ?? 'guest';
  const password = opts.password ?? split.password ?? 'guest';
  const timeoutMs = opts.timeoutMs ?? 5000;
  const auth = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  const vh = (vhost: string) => encodeURIComponent(vhost);

  async function request(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const where = `${method} ${baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: auth,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const name = (e as { name?: unknown })?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ManagementError('timeout', `${where}: no answer within ${timeoutMs} ms`);
      }
      const cause = (e as { cause?: { code?: unknown; message?: unknown } })?.cause;
      const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String(e);
      throw new ManagementError('unreachable', `${where}: management API unreachable (${detail})`);
    }
    if (!res.ok) {
      // Drain the body so the socket is released.
      await res.text().catch(() => '');
      const kind: ManagementErrorKind = res.status === 401 ? 'unauthorized' : res.status === 403 ? 'forbidden' : res.status === 404 ? 'not-found' : 'http';
      throw new ManagementError(kind, `${where}: HTTP ${res.status} ${res.statusText}`.trim(), res.status);
    }
    const text = await res.text().catch(() => '');
    if (text === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ManagementError('bad-response', `${where}: response is not JSON`, res.status);
    }
  }

  return {
    baseUrl,
    getOverview: async () => parseOverview(await request('GET', '/api/overview')),
    getVhost: async (vhost) => parseVhost(await request('GET', `/api/vhosts/${vh(vhost)}`)),
    // Polled every few seconds (downtime accounting): the full node records are ~7 KB each.
    getNodes: async () => parseNodes(await request('GET', '/api/nodes?columns=name,running,uptime')),
    getConsumers: async (vhost) => parseConsumers(await request('GET', `/api/consumers/${vh(vhost)}`)),
    // columns= keeps these responses small on big deployments.
    getVhostConnections: async (vhost) =>
      parseConnections(await request('GET', `/api/vhosts/${vh(vhost)}/connections?columns=name,client_properties,user_provided_name,peer_host,user`)),
    getExchanges: async (vhost) => parseExchanges(await request('GET', `/api/exchanges/${vh(vhost)}?columns=name,type,durable,auto_delete,internal`)),
    setVhostTracing: async (vhost, on) => {
      const cur = parseVhost(await request('GET', `/api/vhosts/${vh(vhost)}`));
      await request('PUT', `/api/vhosts/${vh(vhost)}`, {
        description: cur.description,
        tags: cur.tags,
        ...(cur.defaultQueueType ? { default_queue_type: cur.defaultQueueType } : {}),
        tracing: on,
      });
    },
  };
}
