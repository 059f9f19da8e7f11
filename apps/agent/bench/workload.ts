/**
 * Deterministic oslo-shaped traffic for the benchmarks: calls and their replies, casts,
 * fanout casts and notifications, with ~1 KB bodies and one in twenty ~20 KB. Each message
 * carries where RabbitMQ would deliver it, so the same stream can be published to a real
 * broker (B1) or turned into firehose trace events offline (B2).
 */
import { encodeNotification, encodeReply, encodeRequest, seededRandom, osloTimestamp, type AmqpProperties, type EncodedMessage } from '@osloscope/shared';

/** One published message and the queues that receive it. */
export interface WorkloadMessage extends EncodedMessage {
  kind: 'call' | 'reply' | 'cast' | 'fanout' | 'notification';
  /** Queues the broker routes it to (the consumers' deliveries). */
  queues: string[];
  /** The consuming connection of each queue's delivery (same order as `queues`). */
  consumers: string[];
}

export const SERVERS = ['compute-01', 'compute-02', 'compute-03', 'compute-04'];
export const TOPIC = 'compute';
export const EXCHANGE = 'nova';
const FANOUT_QUEUES = SERVERS.map((_, i) => `${TOPIC}_fanout_${String(i + 1).padStart(32, 'a')}`);
const REPLY_QUEUES = ['reply_0c6c1b0a5d0a4b8e8f7c63b1a3c2a001', 'reply_0c6c1b0a5d0a4b8e8f7c63b1a3c2a002'];
const METHODS = ['build_and_run_instance', 'get_console_output', 'refresh_instance_security_rules', 'reboot_instance'];
const VERSIONS = ['6.0', '6.1', '6.2'];
const CONTEXT = {
  user_id: 'f1c3a8c7e0b44b2f9d2f2f0e5f7c1a11',
  project_id: '8d3b1a2c4e5f60718293a4b5c6d7e8f9',
  request_id: 'req-3f2a9c1e-7b4d-4e8a-9c1f-2b3d4e5f6a7b',
  roles: ['member', 'reader'],
  is_admin: false,
  read_only: false,
  show_deleted: false,
  auth_token: 'gAAAAABm-secret-token-not-for-display',
};

/** Every queue the workload routes to: declare these (B1) so every publish is delivered. */
export function workloadQueues(): string[] {
  return [TOPIC, ...SERVERS.map((s) => `${TOPIC}.${s}`), ...FANOUT_QUEUES, ...REPLY_QUEUES, 'notifications.info'];
}

/** Bindings B1 declares: [exchange, type, queue, binding key]. */
export function workloadBindings(): [string, 'topic' | 'fanout', string, string][] {
  return [
    [EXCHANGE, 'topic', TOPIC, TOPIC],
    ...SERVERS.map((s): [string, 'topic', string, string] => [EXCHANGE, 'topic', `${TOPIC}.${s}`, `${TOPIC}.${s}`]),
    ...FANOUT_QUEUES.map((q): [string, 'fanout', string, string] => [`${TOPIC}_fanout`, 'fanout', q, '']),
    [EXCHANGE, 'topic', 'notifications.info', 'notifications.info'],
  ];
}

function hex(n: number, width = 32): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

/** Args of about `bytes` JSON bytes: an instance-like dict with a filler field. */
function argsOfSize(seq: number, bytes: number): Record<string, unknown> {
  const base = {
    instance: {
      uuid: `${hex(seq, 8)}-1c2d-4e5f-8a9b-${hex(seq, 12)}`,
      host: SERVERS[seq % SERVERS.length],
      flavor: { name: 'm1.small', vcpus: 1, memory_mb: 2048, root_gb: 20 },
      vm_state: 'active',
      metadata: {} as Record<string, string>,
    },
    request_spec: { num_instances: 1, image: { id: hex(seq * 7), name: 'cirros-0.6.2' } },
  };
  const used = JSON.stringify(base).length + 400; // context and envelope overhead
  const filler = Math.max(0, bytes - used);
  // Many small metadata keys, like a real instance record, rather than one long string.
  for (let i = 0; filler > 0 && i * 40 < filler; i++) base.instance.metadata[`meta_key_${i}`] = `value-${hex(seq + i, 22)}`;
  return base;
}

/**
 * An endless, deterministic message stream. Per 20 messages: 6 calls with their 6 replies,
 * 4 casts (2 direct to a server), 1 fanout cast, 3 notifications; one in 20 bodies ~20 KB.
 */
export function* workload(seed = 1): Generator<WorkloadMessage> {
  const rand = seededRandom(seed); // same traffic every run
  const pattern = [
    'call',
    'call',
    'cast',
    'notification',
    'call',
    'cast',
    'call',
    'fanout',
    'call',
    'cast',
    'notification',
    'call',
    'cast',
    'notification',
  ] as const;
  let seq = 0;
  for (;;) {
    for (const step of pattern) {
      seq++;
      const size = seq % 20 === 0 ? 20_000 : 1_000;
      const server = SERVERS[Math.floor(rand() * SERVERS.length)]!;
      const method = METHODS[seq % METHODS.length]!;
      const version = VERSIONS[seq % VERSIONS.length]!;
      const uniqueId = hex(seq * 2654435761 + 1);
      if (step === 'notification') {
        const msg = encodeNotification({
          exchange: EXCHANGE,
          topic: 'notifications',
          priority: 'INFO',
          eventType: 'compute.instance.update',
          publisherId: `nova-compute:${server}`,
          payload: argsOfSize(seq, size),
          messageId: `${hex(seq, 8)}-aaaa-4bbb-8ccc-${hex(seq, 12)}`,
          timestamp: osloTimestamp(1_700_000_000_000 + seq),
          context: CONTEXT,
          uniqueId,
        });
        yield { ...msg, kind: 'notification', queues: ['notifications.info'], consumers: [LISTENER_CONNECTION] };
        continue;
      }
      const direct = step === 'cast' && seq % 2 === 0;
      const isCall = step === 'call';
      const msgId = isCall ? hex(seq * 40503 + 7) : undefined;
      const replyQueue = REPLY_QUEUES[seq % REPLY_QUEUES.length]!;
      const req = encodeRequest({
        exchange: EXCHANGE,
        topic: TOPIC,
        server: direct ? server : null,
        fanout: step === 'fanout',
        version,
        method,
        args: argsOfSize(seq, size),
        context: CONTEXT,
        uniqueId,
        ...(msgId !== undefined ? { msgId, replyQueue } : {}),
      });
      const queues = step === 'fanout' ? FANOUT_QUEUES : direct ? [`${TOPIC}.${server}`] : [TOPIC];
      // A round-robin call is taken by one server's listener; fanout reaches every server.
      const consumers = step === 'fanout' ? SERVERS.map(serverConnection) : [serverConnection(server)];
      yield { ...req, kind: step, queues, consumers };
      if (msgId !== undefined) {
        const failed = seq % 47 === 0; // ~2% of calls fail
        seq++;
        const reply = encodeReply({
          replyQueue,
          msgId,
          uniqueId: hex(seq * 2654435761 + 3),
          ending: true,
          result: failed ? null : { console: `boot ok ${hex(seq, 16)}` },
          failure: failed
            ? {
                class: 'InstanceNotFound',
                module: 'nova.exception',
                message: `Instance ${hex(seq, 8)} could not be found.`,
                args: [],
                kwargs: {},
                traceback: [],
              }
            : null,
        });
        yield { ...reply, kind: 'reply', queues: [replyQueue], consumers: [CLIENT_REPLY_CONNECTION] };
      }
    }
  }
}

const LISTENER_CONNECTION = '10.0.0.9:40009 -> 10.0.0.1:5672';
const CLIENT_REPLY_CONNECTION = '10.0.0.2:40002 -> 10.0.0.1:5672';

/** The RPC listener connection of a server, as RabbitMQ names connections in trace headers. */
export function serverConnection(server: string): string {
  const i = SERVERS.indexOf(server) + 20;
  return `10.0.0.${i}:${40000 + i} -> 10.0.0.1:5672`;
}

/**
 * What the management API would report for the offline capture: each server's listener
 * consumes `<topic>`, `<topic>.<server>` and its fanout queue on one connection, so the
 * capture core can attribute round-robin deliveries to servers.
 */
export function workloadConsumers(): Record<string, string[]> {
  const consumers: Record<string, string[]> = {};
  SERVERS.forEach((s, i) => (consumers[serverConnection(s)] = [TOPIC, `${TOPIC}.${s}`, FANOUT_QUEUES[i]!]));
  consumers[LISTENER_CONNECTION] = ['notifications.info'];
  consumers[CLIENT_REPLY_CONNECTION] = [...REPLY_QUEUES];
  return consumers;
}

/** The connection a message was published on (one send connection per kind of process). */
export function publisherConnection(msg: WorkloadMessage): string {
  return msg.kind === 'reply' || msg.kind === 'notification' ? '10.0.0.5:50001 -> 10.0.0.1:5672' : '10.0.0.2:50000 -> 10.0.0.1:5672';
}

/** The firehose trace headers RabbitMQ adds for a publish or a delivery of `msg`. */
export function traceHeaders(msg: WorkloadMessage, delivery: number | null): Record<string, unknown> {
  const props: AmqpProperties = msg.properties;
  const base: Record<string, unknown> = {
    exchange_name: msg.exchange,
    routing_keys: [msg.routingKey],
    properties: props,
    node: 'rabbit@bench',
    vhost: '/',
    connection: delivery === null ? publisherConnection(msg) : (msg.consumers[delivery] ?? null),
    channel: 1,
    user: 'guest',
  };
  if (delivery === null) base['routed_queues'] = msg.queues;
  else base['redelivered'] = 0;
  return base;
}
