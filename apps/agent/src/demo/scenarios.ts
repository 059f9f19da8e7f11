/**
 * What the simulated OpenStack does: each scenario is one user-visible operation and the
 * RPC traffic it causes, with realistic nova names (exchange `nova`, topics conductor,
 * scheduler, compute). Together they show every kind of message, outcome and signature
 * verdict osloscope knows about.
 */
import { instanceNotFound, noSuchMethod, noValidHost, unsupportedVersion } from './failures.js';
import type { FlowBuilder, SentCall } from './flow-builder.js';
import type { Rng } from './rng.js';
import { DEMO_KEYLESS_DESTINATION } from './demo-keys.js';
import { COMPUTE_RPC_VERSION, OLD_COMPUTE_RPC_VERSION, type DemoTopology, type SimProcess } from './topology.js';

export interface ScenarioContext {
  flow: FlowBuilder;
  rng: Rng;
  topology: DemoTopology;
}

export type Scenario = (c: ScenarioContext, t0: number) => void;

/** A keystone-ish request context; carries a (fake) Fernet token so redaction shows. */
function requestContext(rng: Rng, at: number): Record<string, unknown> {
  const user = rng.uuidHex();
  const project = rng.pick(['3477e2140a4a46cdb2c41d85c3bc67b9', 'b7f0c1d2e3a44b5c9d8e7f6a5b4c3d2e']);
  return {
    user,
    project_id: project,
    system_scope: null,
    project,
    domain: null,
    user_domain: 'default',
    project_domain: 'default',
    is_admin: false,
    read_only: false,
    show_deleted: false,
    auth_token: 'gAAAAAB' + rng.bytes(90).toString('base64url'),
    request_id: `req-${rng.uuid()}`,
    global_request_id: null,
    resource_uuid: null,
    roles: ['member', 'reader'],
    user_identity: `${user} ${project} - default default`,
    is_admin_project: true,
    remote_address: `192.168.10.${rng.int(2, 250)}`,
    read_deleted: 'no',
    timestamp: new Date(at).toISOString().replace('Z', '000'),
  };
}

const serverLatency = (rng: Rng): number => rng.int(4, 60);

function instanceArg(uuid: string): Record<string, unknown> {
  return { 'nova_object.name': 'Instance', 'nova_object.namespace': 'nova', 'nova_object.version': '2.8', 'nova_object.data': { uuid } };
}

function isOldCompute(p: SimProcess): boolean {
  return p.rpcVersion === OLD_COMPUTE_RPC_VERSION;
}

/** Client-side pinning: new computes get 6.x, old ones the 5.x variant of the call. */
function computeVersionFor(host: SimProcess, newVersion: string, oldVersion: string): string {
  return isOldCompute(host) ? oldVersion : newVersion;
}

function replyOk(c: ScenarioContext, call: SentCall, result: unknown): number {
  if (!call.server) return call.deliveredAt;
  return c.flow.reply(call.server, call, call.deliveredAt + serverLatency(c.rng), { result });
}

/** Boot an instance: api → conductor → scheduler → compute, with notifications. */
export const bootInstance: Scenario = (c, t0) => {
  const { flow, rng, topology } = c;
  const ctx = requestContext(rng, t0);
  const uuid = rng.uuid();
  const build = flow.cast(t0, topology.api, {
    topic: 'conductor',
    namespace: 'compute_task',
    version: '1.25',
    method: 'build_instances',
    args: { instances: [instanceArg(uuid)], image: { id: rng.uuid(), name: 'cirros-0.6.2' }, admin_password: 'Zq8-demo-pass', requested_networks: null },
    context: ctx,
  });
  const conductor = build.deliveredTo[0] ?? topology.conductors[0];
  if (!conductor) return;
  const select = flow.call(build.deliveredAt + 3, conductor, {
    topic: 'scheduler',
    version: '4.5',
    method: 'select_destinations',
    args: {
      spec_obj: { 'nova_object.name': 'RequestSpec', 'nova_object.data': { instance_uuid: uuid, num_instances: 1 } },
      instance_uuids: [uuid],
      return_objects: true,
      return_alternates: true,
    },
    context: ctx,
  });
  if (!select.server) return;
  const decided = select.deliveredAt + rng.int(20, 120);
  if (rng.chance(0.15)) {
    const at = flow.reply(select.server, select, decided, { failure: noValidHost() });
    flow.notify(at + 2, conductor, {
      priority: 'ERROR',
      eventType: 'compute_task.build_instances',
      payload: { instance_id: uuid, state: 'error', reason: 'NoValidHost' },
      context: ctx,
    });
    return;
  }
  const host = rng.pick(topology.computes);
  const at = flow.reply(select.server, select, decided, {
    result: [[{ 'nova_object.name': 'Selection', 'nova_object.data': { service_host: host.host, nodename: host.host } }]],
  });
  const run = flow.cast(at + 2, conductor, {
    topic: 'compute',
    server: host.host,
    version: computeVersionFor(host, COMPUTE_RPC_VERSION, '5.11'),
    method: 'build_and_run_instance',
    args: { instance: instanceArg(uuid), node: host.host, limits: { memory_mb: 8192 }, host_list: [host.host] },
    context: ctx,
  });
  const started = run.deliveredAt + 2;
  flow.notify(started, host, { priority: 'INFO', eventType: 'compute.instance.create.start', payload: { instance_id: uuid, state: 'building' }, context: ctx });
  const save = flow.call(started + 5, host, {
    topic: 'conductor',
    version: '3.0',
    method: 'object_action',
    args: { objinst: instanceArg(uuid), objmethod: 'save', args: [], kwargs: {} },
    context: ctx,
  });
  const saved = replyOk(c, save, [{ 'nova_object.name': 'Instance', 'nova_object.data': { vm_state: 'active' } }, null]);
  flow.notify(saved + rng.int(100, 400), host, {
    priority: 'INFO',
    eventType: 'compute.instance.create.end',
    payload: { instance_id: uuid, state: 'active', host: host.host },
    context: ctx,
  });
  // The compute tells every scheduler about its new instance (signed fanout).
  flow.cast(saved + 5, host, {
    topic: 'scheduler',
    fanout: true,
    version: '4.2',
    method: 'update_instance_info',
    args: { host_name: host.host, instance_info: { 'nova_object.name': 'InstanceList', 'nova_object.data': { objects: [uuid] } } },
    context: ctx,
  });
};

/** Rolling upgrade: an unpinned client asks for 6.0; a compute still on 5.x refuses. */
export const consoleOutput: Scenario = (c, t0) => {
  const host = c.rng.chance(0.5) ? (c.topology.computes.find(isOldCompute) ?? c.rng.pick(c.topology.computes)) : c.rng.pick(c.topology.computes);
  const call = c.flow.call(t0, c.topology.api, {
    topic: 'compute',
    server: host.host,
    version: '6.0',
    method: 'get_console_output',
    args: { instance: instanceArg(c.rng.uuid()), tail_length: 50 },
    context: requestContext(c.rng, t0),
  });
  if (!call.server) return;
  const at = call.deliveredAt + serverLatency(c.rng);
  if (isOldCompute(call.server)) c.flow.reply(call.server, call, at, { failure: unsupportedVersion('6.0', 'get_console_output') });
  else c.flow.reply(call.server, call, at, { result: '[    0.000000] Linux version 6.1.0 (demo)\nlogin: ' });
};

/** A stale client still calls a method removed in compute RPC 6.0. */
export const removedMethod: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes.filter((p) => !isOldCompute(p)));
  const call = c.flow.call(t0, c.topology.api, {
    topic: 'compute',
    server: host.host,
    version: '6.0',
    method: 'check_instance_shared_storage',
    args: { instance: instanceArg(c.rng.uuid()), data: { filename: 'tmpabc' } },
    context: requestContext(c.rng, t0),
  });
  if (call.server) c.flow.reply(call.server, call, call.deliveredAt + serverLatency(c.rng), { failure: noSuchMethod('check_instance_shared_storage') });
};

/** A remote exception with a traceback from nova itself. */
export const missingInstance: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes);
  const uuid = c.rng.uuid();
  const call = c.flow.call(t0, c.topology.api, {
    topic: 'compute',
    server: host.host,
    version: computeVersionFor(host, '6.0', '5.0'),
    method: 'get_vnc_console',
    args: { instance: instanceArg(uuid), console_type: 'novnc' },
    context: requestContext(c.rng, t0),
  });
  if (call.server) c.flow.reply(call.server, call, call.deliveredAt + serverLatency(c.rng), { failure: instanceNotFound(uuid) });
};

/** oslo's `baseapi` namespace: the service liveness ping. */
export const ping: Scenario = (c, t0) => {
  const call = c.flow.call(t0, c.topology.api, {
    topic: 'conductor',
    namespace: 'baseapi',
    version: '1.0',
    method: 'ping',
    args: { arg: 'osloscope' },
    context: requestContext(c.rng, t0),
  });
  replyOk(c, call, { service: 'conductor', arg: 'osloscope' });
};

/** A fanout cast reaching every compute. */
export const refreshCache: Scenario = (c, t0) => {
  c.flow.cast(t0, c.rng.pick(c.topology.conductors), {
    topic: 'compute',
    fanout: true,
    version: '5.0',
    method: 'refresh_cache',
    args: { cache: 'instance_info' },
    context: requestContext(c.rng, t0),
  });
};

/** A slow call with call_monitor_timeout: heartbeats every _timeout/2 s, then the result. */
export const slowMigrationCheck: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes.filter((p) => !isOldCompute(p)));
  const call = c.flow.call(t0, c.rng.pick(c.topology.conductors), {
    topic: 'compute',
    server: host.host,
    version: '6.0',
    method: 'check_can_live_migrate_destination',
    args: { instance: instanceArg(c.rng.uuid()), block_migration: false, disk_over_commit: false, migration: null, limits: null },
    context: requestContext(c.rng, t0),
    timeoutMs: 60_000,
    callMonitorTimeout: 4,
  });
  if (!call.server) return;
  const beats = c.rng.int(2, 3);
  for (let i = 1; i <= beats; i++) c.flow.heartbeat(call.server, call, call.deliveredAt + i * 2000);
  c.flow.reply(call.server, call, call.deliveredAt + beats * 2000 + 700, { result: { is_volume_backed: false, migration: null } });
};

/** A call to a decommissioned host: unroutable, never answered. */
export const callToGoneHost: Scenario = (c, t0) => {
  c.flow.call(t0, c.topology.api, {
    topic: 'compute',
    server: 'compute-99',
    version: '6.0',
    method: 'get_console_output',
    args: { instance: instanceArg(c.rng.uuid()), tail_length: 10 },
    context: requestContext(c.rng, t0),
    timeoutMs: 10_000,
  });
};

/** Delivered, but the server hangs: the caller times out. */
export const hungCall: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes);
  c.flow.call(t0, c.topology.api, {
    topic: 'compute',
    server: host.host,
    version: computeVersionFor(host, '6.0', '5.0'),
    method: 'attach_interface',
    args: { instance: instanceArg(c.rng.uuid()), network_id: c.rng.uuid(), port_id: null, requested_ip: null, tag: null },
    context: requestContext(c.rng, t0),
    timeoutMs: 10_000,
  });
};

/** Periodic metrics notification from a compute. */
export const metrics: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes);
  c.flow.notify(t0, host, {
    priority: 'INFO',
    eventType: 'compute.metrics.update',
    payload: { host: host.host, nodename: host.host, metrics: [{ name: 'cpu.percent', value: c.rng.int(1, 99) / 100, source: 'libvirt.LibvirtDriver' }] },
    context: requestContext(c.rng, t0),
  });
};

// --- signatures gone wrong ----------------------------------------------------------------

/** Altered after signing: InvalidSignature. */
export const tamperedCast: Scenario = (c, t0) => {
  const args = { instances: [instanceArg(c.rng.uuid())], image: { id: c.rng.uuid() }, requested_networks: null };
  c.flow.cast(t0, c.topology.api, {
    topic: 'conductor',
    namespace: 'compute_task',
    version: '1.25',
    method: 'build_instances',
    args,
    tamperedArgs: { ...args, image: { id: 'e0e0e0e0-0000-4000-8000-attacker0000' } },
    context: requestContext(c.rng, t0),
    sign: 'tamper',
  });
};

/** Signed for one compute, routed to another: DestinationMismatch. */
export const misroutedCast: Scenario = (c, t0) => {
  const [a, b] = c.topology.computes;
  if (!a || !b) return;
  c.flow.cast(t0, c.rng.pick(c.topology.conductors), {
    topic: 'compute',
    server: b.host,
    version: computeVersionFor(b, '6.0', '5.0'),
    method: 'terminate_instance',
    args: { instance: instanceArg(c.rng.uuid()), bdms: [], delete_type: 'delete' },
    context: requestContext(c.rng, t0),
    sign: 'misroute',
    claimedDestination: `compute.${a.host}`,
  });
};

/** Ticket older than its ttl: InvalidExpiredTicket. The scheduler drops it; the caller times out. */
export const expiredTicketCall: Scenario = (c, t0) => {
  c.flow.call(t0, c.rng.pick(c.topology.conductors), {
    topic: 'scheduler',
    version: '4.5',
    method: 'select_destinations',
    args: { spec_obj: { 'nova_object.name': 'RequestSpec' }, instance_uuids: [c.rng.uuid()], return_objects: true, return_alternates: true },
    context: requestContext(c.rng, t0),
    sign: 'expired',
    timeoutMs: 10_000,
  });
};

/** The same signed cast captured and published again: ReplayedNonce on the second. */
export const replayedCast: Scenario = (c, t0) => {
  const conductor = c.rng.pick(c.topology.conductors);
  const original = c.flow.cast(t0, c.topology.api, {
    topic: 'conductor',
    namespace: 'compute_task',
    version: '1.25',
    method: 'rebuild_instance',
    args: { instance: instanceArg(c.rng.uuid()), orig_image_ref: c.rng.uuid(), image_ref: c.rng.uuid() },
    context: requestContext(c.rng, t0),
  });
  c.flow.republish(t0 + c.rng.int(500, 1500), conductor, original);
};

/** An unsigned message to a destination that requires signatures: MissingSignature. */
export const unsignedToScheduler: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes);
  c.flow.cast(t0, host, {
    topic: 'scheduler',
    version: '4.2',
    method: 'sync_instance_info',
    args: { host_name: host.host, instance_uuids: [c.rng.uuid()] },
    context: requestContext(c.rng, t0),
    sign: 'none',
  });
};

/** Signed for a destination the agent has no key for: unverified / SharedKeyNotFound. */
export const keylessCast: Scenario = (c, t0) => {
  c.flow.cast(t0, c.topology.api, {
    topic: DEMO_KEYLESS_DESTINATION,
    version: '2.1',
    method: 'delete_tokens_for_instance',
    args: { instance_uuid: c.rng.uuid() },
    context: requestContext(c.rng, t0),
    sign: 'sign',
  });
};

/** A signed and encrypted call: the agent decrypts it and shows the method and args. */
export const encryptedCall: Scenario = (c, t0) => {
  const call = c.flow.call(t0, c.rng.pick(c.topology.computes), {
    topic: 'conductor',
    namespace: 'conductor',
    version: '3.0',
    method: 'object_class_action_versions',
    args: { objname: 'Instance', objmethod: 'get_by_uuid', object_versions: { Instance: '2.7' }, args: [c.rng.uuid()], kwargs: {} },
    context: requestContext(c.rng, t0),
    sign: 'sign',
    encrypt: true,
  });
  replyOk(c, call, { 'nova_object.name': 'Instance', 'nova_object.version': '2.7' });
};

/** Signature metadata a buggy sender wrote wrongly (a float nonce): InvalidMetadata. */
export const badMetadataCast: Scenario = (c, t0) => {
  const host = c.rng.pick(c.topology.computes);
  c.flow.cast(t0, host, {
    topic: 'scheduler',
    version: '4.2',
    method: 'update_instance_info',
    args: { host_name: host.host, instance_info: { 'nova_object.name': 'InstanceList' } },
    context: requestContext(c.rng, t0),
    sign: 'bad-metadata',
  });
};

/** Encrypted, signed, but the ciphertext is damaged: InvalidEncryptedMessage. */
export const undecryptableCast: Scenario = (c, t0) => {
  c.flow.cast(t0, c.rng.pick(c.topology.conductors), {
    topic: 'scheduler',
    version: '4.2',
    method: 'delete_instance_info',
    args: { host_name: 'compute-1', instance_uuid: c.rng.uuid() },
    context: requestContext(c.rng, t0),
    sign: 'bad-ciphertext',
  });
};

export interface WeightedScenario {
  name: string;
  run: Scenario;
  weight: number;
}

/** Every scenario, in showcase order (the first cycle runs each once), with its weight after that. */
export const SCENARIOS: readonly WeightedScenario[] = [
  { name: 'boot-instance', run: bootInstance, weight: 30 },
  { name: 'console-output', run: consoleOutput, weight: 10 },
  { name: 'ping', run: ping, weight: 10 },
  { name: 'metrics', run: metrics, weight: 15 },
  { name: 'refresh-cache', run: refreshCache, weight: 5 },
  { name: 'slow-migration-check', run: slowMigrationCheck, weight: 4 },
  { name: 'missing-instance', run: missingInstance, weight: 4 },
  { name: 'removed-method', run: removedMethod, weight: 3 },
  { name: 'call-to-gone-host', run: callToGoneHost, weight: 1 },
  { name: 'hung-call', run: hungCall, weight: 1 },
  { name: 'tampered-cast', run: tamperedCast, weight: 1 },
  { name: 'misrouted-cast', run: misroutedCast, weight: 1 },
  { name: 'expired-ticket', run: expiredTicketCall, weight: 1 },
  { name: 'replayed-cast', run: replayedCast, weight: 1 },
  { name: 'unsigned-to-scheduler', run: unsignedToScheduler, weight: 1 },
  { name: 'keyless-cast', run: keylessCast, weight: 1 },
  { name: 'encrypted-call', run: encryptedCall, weight: 4 },
  { name: 'bad-metadata-cast', run: badMetadataCast, weight: 1 },
  { name: 'undecryptable-cast', run: undecryptableCast, weight: 1 },
];
