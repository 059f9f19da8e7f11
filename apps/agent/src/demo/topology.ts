/**
 * The simulated OpenStack deployment: nova-api, a conductor pool, a scheduler pool and
 * compute hosts (some still on the old 5.x compute RPC API: a rolling upgrade), plus a
 * notification consumer. Each process has the broker connections oslo opens (send pool,
 * RPC listener, reply listener), named the way RabbitMQ names them.
 */
import type { Rng } from './rng.js';

/** nova's control exchange. */
export const DEMO_EXCHANGE = 'nova';
export const DEMO_NODE = 'rabbit@demo';
export const DEMO_VHOST = '/';
export const DEMO_USER = 'nova';
const BROKER_ADDRESS = '10.0.0.1:5672';

export type ServiceKind = 'api' | 'conductor' | 'scheduler' | 'compute' | 'notification-agent';

export interface SimConnection {
  /** RabbitMQ's connection name, as in trace headers. */
  name: string;
  /** The client-provided `connection_name` (`program:pid:uuid`). */
  clientName: string;
  /** Queues this connection consumes. */
  consumes: string[];
}

export interface SimProcess {
  kind: ServiceKind;
  /** oslo server name (`Target.server`), e.g. `compute-2`. */
  host: string;
  program: string;
  pid: number;
  /** Topic its RPC server listens on (null: not an RPC server). */
  topic: string | null;
  /** Highest RPC API version it implements (compute on the old release: 5.x). */
  rpcVersion: string;
  send: SimConnection;
  rpc: SimConnection | null;
  replyListener: SimConnection | null;
  replyQueue: string | null;
  fanoutQueue: string | null;
}

export interface DemoTopologyOptions {
  /** @default 4 */
  computes?: number;
  /** Compute hosts at the end of the list still running the 5.x release. @default 1 */
  oldComputes?: number;
  /** @default 2 */
  conductors?: number;
  /** @default 2 */
  schedulers?: number;
}

export interface DemoTopology {
  processes: SimProcess[];
  api: SimProcess;
  conductors: SimProcess[];
  schedulers: SimProcess[];
  computes: SimProcess[];
  notificationAgent: SimProcess;
  /** Every queue that exists on the simulated broker. */
  queues: Set<string>;
}

export const COMPUTE_RPC_VERSION = '6.2';
export const OLD_COMPUTE_RPC_VERSION = '5.13';
const PROGRAMS: Record<ServiceKind, string> = {
  api: 'nova-api',
  conductor: 'nova-conductor',
  scheduler: 'nova-scheduler',
  compute: 'nova-compute',
  'notification-agent': 'ceilometer-agent-notification',
};
const RPC_VERSIONS: Record<ServiceKind, string> = {
  api: '1.0',
  conductor: '3.0',
  scheduler: '4.5',
  compute: COMPUTE_RPC_VERSION,
  'notification-agent': '1.0',
};

/** Compute host names (`compute-1..N`): fixed by the options alone, so keys can be made before the demo. */
export function computeHostNames(options: DemoTopologyOptions = {}): string[] {
  return range(options.computes ?? 4).map((i) => `compute-${i}`);
}

/** Build the deployment; names and ports come from `rng`, so a seed fixes them. */
export function buildDemoTopology(rng: Rng, options: DemoTopologyOptions = {}): DemoTopology {
  let ip = 10;
  const nextIp = (): string => `10.0.0.${ip++}`;
  const connection = (addr: string, program: string, pid: number, consumes: string[]): SimConnection => ({
    name: `${addr}:${rng.int(33000, 60999)} -> ${BROKER_ADDRESS}`,
    clientName: `${program}:${pid}:${rng.uuid()}`,
    consumes,
  });

  const makeProcess = (kind: ServiceKind, host: string, opts: { rpc: boolean; replies: boolean; version?: string }): SimProcess => {
    const addr = nextIp();
    const program = PROGRAMS[kind];
    const pid = rng.int(1000, 65000);
    const topic = opts.rpc ? kind : null;
    const fanoutQueue = topic ? `${topic}_fanout_${rng.uuidHex()}` : null;
    const replyQueue = opts.replies ? `reply_${rng.uuidHex()}` : null;
    return {
      kind,
      host,
      program,
      pid,
      topic,
      rpcVersion: opts.version ?? RPC_VERSIONS[kind],
      send: connection(addr, program, pid, []),
      rpc: topic && fanoutQueue ? connection(addr, program, pid, [topic, `${topic}.${host}`, fanoutQueue]) : null,
      replyListener: replyQueue ? connection(addr, program, pid, [replyQueue]) : null,
      replyQueue,
      fanoutQueue,
    };
  };

  const computes = options.computes ?? 4;
  const oldComputes = Math.min(options.oldComputes ?? 1, computes);
  const api = makeProcess('api', 'api-1', { rpc: false, replies: true });
  const conductors = range(options.conductors ?? 2).map((i) => makeProcess('conductor', `conductor-${i}`, { rpc: true, replies: true }));
  const schedulers = range(options.schedulers ?? 2).map((i) => makeProcess('scheduler', `scheduler-${i}`, { rpc: true, replies: false }));
  const computeProcs = computeHostNames(options).map((host, i) =>
    makeProcess('compute', host, {
      rpc: true,
      replies: true,
      version: i >= computes - oldComputes ? OLD_COMPUTE_RPC_VERSION : COMPUTE_RPC_VERSION,
    }),
  );
  const notificationAgent = makeProcess('notification-agent', 'ceilometer-1', { rpc: false, replies: false });
  notificationAgent.rpc = connection(nextIp(), notificationAgent.program, notificationAgent.pid, ['notifications.info', 'notifications.error']);

  const processes = [api, ...conductors, ...schedulers, ...computeProcs, notificationAgent];
  const queues = new Set<string>();
  for (const p of processes) {
    for (const c of [p.rpc, p.replyListener]) for (const q of c?.consumes ?? []) queues.add(q);
  }
  return { processes, api, conductors, schedulers, computes: computeProcs, notificationAgent, queues };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** What the management API would say about the simulated connections (ConnectionDirectory facts). */
export function directoryFacts(topology: DemoTopology): {
  processes: Record<string, string>;
  consumers: Record<string, string[]>;
} {
  const processes: Record<string, string> = {};
  const consumers: Record<string, string[]> = {};
  for (const p of topology.processes) {
    for (const c of [p.send, p.rpc, p.replyListener]) {
      if (!c) continue;
      processes[c.name] = c.clientName;
      if (c.consumes.length > 0) consumers[c.name] = [...c.consumes];
    }
  }
  return { processes, consumers };
}
