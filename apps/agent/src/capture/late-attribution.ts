/**
 * Which oslo server handled a message and which process sent it, including what is learned
 * after capture: the connection directory names servers and processes from the management
 * API, polled every few seconds, so a record captured before it knew is filled in later, in
 * the store (lists, filters, flows and versions agree) and for listeners.
 */
import type { EnvelopeRecord } from '@osloscope/shared';
import { attribute } from '../domain/attribution.js';
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { CaptureRecords } from './capture-records.js';
import { UnresolvedRecords } from './unresolved.js';

/** Records waiting for the directory to name a server or process (see unresolved.ts). */
const UNRESOLVED = 10_000;

export interface LateAttributionDeps {
  directory: ConnectionDirectory;
  records: CaptureRecords;
  /** Replies linked to a call while its server was unknown (CallCorrelator). */
  repliesAwaitingServer(callId: number): Iterable<number>;
}

export class LateAttribution {
  private readonly unresolved = new UnresolvedRecords(UNRESOLVED);
  /** Directory revision the unresolved records were last checked against. */
  private checkedRevision: number | null = null;

  constructor(private readonly deps: LateAttributionDeps) {}

  /** Fill in delivery servers, the handling server and fanout reach; @returns whether anything changed. */
  reattribute(record: EnvelopeRecord, source: string): boolean {
    const a = attribute(record, (connection) => this.deps.directory.serverFor(source, connection));
    if (record.kind !== 'call' && record.kind !== 'cast') {
      // Replies keep the server copied from their call; notifications have none.
      const changed = a.deliveries.some((d, i) => d !== record.deliveries[i]);
      record.deliveries = a.deliveries;
      return changed;
    }
    const changed =
      a.server !== record.server || JSON.stringify(a.reached) !== JSON.stringify(record.reached) || a.deliveries.some((d, i) => d !== record.deliveries[i]);
    record.deliveries = a.deliveries;
    record.server = a.server;
    record.reached = a.reached;
    return changed;
  }

  /**
   * A call's server learned after its replies were linked (a reply overtook the deliver, or
   * the directory named the server later): replies carry the call's server, update them.
   */
  propagateServer(call: EnvelopeRecord): void {
    const server = call.server;
    if (call.kind !== 'call' || server === null) return;
    const finalReply = call.outcome?.replyId ?? null;
    if (finalReply !== null) this.giveReplyServer(finalReply, server);
    // Heartbeats (and a final reply linked while the server was unknown) are listed here.
    for (const id of this.deps.repliesAwaitingServer(call.id)) if (id !== finalReply) this.giveReplyServer(id, server);
  }

  private giveReplyServer(replyId: number, server: string): void {
    const reply = this.deps.records.get(replyId);
    if (!reply || reply.server === server) return;
    reply.server = server;
    this.deps.records.changed(reply);
  }

  /**
   * Remember what a record still waits for the directory to name, so it is filled in once
   * known (resolveLate). Only requests: replies take their call's server, notification
   * listeners are not servers.
   */
  track(record: EnvelopeRecord): void {
    const client = record.client;
    if (client !== null && client.process === null && client.connection !== null) {
      this.unresolved.add('process', record.source, client.connection, record.id);
    }
    if (record.kind !== 'call' && record.kind !== 'cast') return;
    for (const d of record.deliveries) {
      if (d.server === null && d.connection !== null) this.unresolved.add('server', record.source, d.connection, record.id);
    }
  }

  /** Fill in servers and the client process the directory knows now; @returns whether anything changed. */
  private fillIn(record: EnvelopeRecord): boolean {
    let changed = this.reattribute(record, record.source);
    const client = record.client;
    if (client !== null && client.process === null && client.connection !== null) {
      const process = this.deps.directory.processFor(record.source, client.connection);
      if (process !== null) {
        record.client = { ...client, process };
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Re-check records captured before the directory could name their server or client
   * process: store what is known now and tell listeners. Only when the directory learned something.
   */
  resolveLate(): void {
    if (this.unresolved.size === 0) return;
    const { directory, records } = this.deps;
    const revision = directory.revision?.() ?? null;
    if (revision !== null && revision === this.checkedRevision) return;
    this.checkedRevision = revision;
    const ids = this.unresolved.takeAnswered(
      (want, source, connection) => (want === 'server' ? directory.serverFor(source, connection) : directory.processFor(source, connection)) !== null,
    );
    for (const id of ids) {
      const record = records.get(id);
      if (!record) continue; // evicted meanwhile
      if (this.fillIn(record)) {
        records.changed(record);
        this.propagateServer(record);
      }
      this.track(record);
    }
  }

  /**
   * A record leaving the core: servers and processes learned since capture filled in (also
   * for records the bounded unresolved set forgot).
   */
  refreshed(record: EnvelopeRecord): EnvelopeRecord {
    const unnamedClient = record.client !== null && record.client.process === null && record.client.connection !== null;
    if ((unnamedClient || record.deliveries.some((d) => d.server === null)) && this.fillIn(record)) this.deps.records.write(record);
    return record;
  }
}
