/**
 * One record per PUBLISHED message. Firehose deliver events are folded into their publish
 * record (matched by `_unique_id`, or the exact bytes of a legacy body without one); a deliver
 * whose publish was never seen becomes its own record, and is upgraded in place if the publish
 * shows up later (so nothing is lost and nothing is counted twice).
 */
import { createHash } from 'node:crypto';
import { readTraceHeaders, type DecodedEnvelope, type DeliveryWire, type EnvelopeRecord } from '@osloscope/shared';
import { BoundedMap } from '../bounded-map.js';
import { isTraceEvent } from '../domain/decode-raw.js';
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { RawCapture } from '../ports/raw-capture.js';
import type { CaptureRecords } from './capture-records.js';
import type { LateAttribution } from './late-attribution.js';
import type { MessageDecoder } from './message-decoder.js';
import type { ExportedFacts } from './ndjson.js';
import { withMaskedAtExport } from './present.js';
import { buildRecord, deliveryOf } from './record-builder.js';
import { uniqueIdHint } from './unique-id-hint.js';

/**
 * How many recent publishes a deliver can still be matched with in memory (~10 s at 2k msg/s;
 * older ones by the `_unique_id` index). 100k entries held ~20 MB of live heap, which V8's
 * headroom doubles (B5). A legacy body without `_unique_id` delivered later than that becomes
 * a record of its own.
 */
const MATCH_MEMORY = 20_000;
/**
 * osloscope's own replays not yet captured, by their `_unique_id` (see linkReplay). A replay is
 * captured within milliseconds of its publish; this many outstanding is far beyond the rate limit.
 */
const OWN_REPLAYS = 1_000;

interface MatchEntry {
  id: number;
  /** Created from a deliver event: its publish was not seen (yet). */
  deliverOnly: boolean;
  /** Body length of the event: a cheap check that a deliver hinted by `_unique_id` is the same message. */
  bodyLength: number;
}

export interface MatcherDeps {
  decoder: MessageDecoder;
  records: CaptureRecords;
  directory: ConnectionDirectory;
  attribution: LateAttribution;
  /** The id the next new record gets. */
  nextId(): number;
  /** A new record: counted, correlated, stored, told (or dropped and counted when the store is behind). */
  admit(record: EnvelopeRecord, raw: RawCapture): void;
  /** An event the codec could not decode at all (it broke its contract). */
  undecodable(): void;
}

export class PublishDeliverMatcher {
  private readonly byMatchKey = new BoundedMap<string, MatchEntry>(MATCH_MEMORY);
  /** `_unique_id` of a replay this agent published → the original record id. */
  private readonly ownReplays = new BoundedMap<string, number>(OWN_REPLAYS);

  constructor(private readonly deps: MatcherDeps) {}

  /** @param exported what an imported line says about the message as first captured */
  ingest(raw: RawCapture, exported?: ExportedFacts): void {
    if (!exported && raw.routingKey.startsWith('deliver.') && isTraceEvent(raw) && this.ingestKnownDeliver(raw)) return;
    const decoded = this.deps.decoder.decode(raw);
    if (!decoded) {
      this.deps.undecodable();
      return;
    }
    if (decoded.broker?.event === 'deliver') this.ingestDeliver(raw, decoded, exported);
    else this.ingestPublish(raw, decoded, exported);
  }

  /** The agent's replay is about to publish a message with this `_unique_id`. */
  linkReplay(uniqueId: string, originalId: number): void {
    this.ownReplays.set(uniqueId, originalId);
  }

  /**
   * The original of a replay this agent published, known by the replay's fresh `_unique_id`.
   * Nothing on the wire can claim the link: a publisher cannot forge it, and the replay carries no
   * header an oslo consumer would have to read.
   */
  private replayOf(decoded: DecodedEnvelope): number | null {
    return decoded.uniqueId !== null ? (this.ownReplays.get(decoded.uniqueId) ?? null) : null;
  }

  private matchKeyOf(decoded: DecodedEnvelope, body: Uint8Array): string {
    // Legacy bodies may lack `_unique_id`: the exact bytes identify the message instead.
    return decoded.uniqueId ? 'u:' + decoded.uniqueId : 'h:' + createHash('sha1').update(body).digest('base64');
  }

  /**
   * An imported body is the masked one the exporting agent wrote: keep the size the message
   * had on the wire and which fields were masked.
   */
  private applyExported(record: EnvelopeRecord, exported: ExportedFacts | undefined): EnvelopeRecord {
    if (!exported) return record;
    if (exported.bodySize !== null) record.bodySize = exported.bodySize;
    return exported.masked.length > 0 ? withMaskedAtExport(record, exported.masked) : record;
  }

  private publisherOf(raw: RawCapture, decoded: DecodedEnvelope) {
    const connection = decoded.broker?.connection ?? null;
    return {
      source: raw.source,
      capturedAt: raw.receivedAt,
      connection,
      process: connection !== null ? this.deps.directory.processFor(raw.source, connection) : null,
      replayOf: this.replayOf(decoded),
    };
  }

  private ingestPublish(raw: RawCapture, first: DecodedEnvelope, exported?: ExportedFacts): void {
    const { records, attribution } = this.deps;
    const key = this.matchKeyOf(first, raw.body);
    const earlier = this.byMatchKey.get(key);
    const earlierRecord = earlier?.deliverOnly ? records.get(earlier.id) : null;
    if (earlier && earlierRecord) {
      // Its deliver came first (different channels / nodes): upgrade that record in place.
      const record = this.applyExported(buildRecord(earlierRecord.id, first, earlierRecord.signature, this.publisherOf(raw, first)), exported);
      record.decodeError = earlierRecord.decodeError;
      Object.assign(record, {
        args: earlierRecord.args,
        context: earlierRecord.context,
        outcome: earlierRecord.outcome,
        requestId: earlierRecord.requestId,
        deliveries: earlierRecord.deliveries,
        target: earlierRecord.target ?? record.target,
        server: earlierRecord.server,
      });
      this.byMatchKey.set(key, { id: record.id, deliverOnly: false, bodyLength: raw.body.byteLength });
      attribution.reattribute(record, raw.source);
      attribution.track(record);
      records.changed(record, raw);
      return;
    }
    const { verdict, decoded } = this.deps.decoder.verify(raw, first);
    const record = this.applyExported(buildRecord(this.deps.nextId(), decoded, verdict, this.publisherOf(raw, decoded)), exported);
    this.byMatchKey.set(key, { id: record.id, deliverOnly: false, bodyLength: raw.body.byteLength });
    this.deps.admit(record, raw);
  }

  /**
   * The common case of a deliver event: its publish is a recent record. Found through the
   * `_unique_id` read from the bytes, the body is not parsed again (see unique-id-hint.ts).
   * @returns false when the slow path (full decode) has to handle it
   */
  private ingestKnownDeliver(raw: RawCapture): boolean {
    const hint = uniqueIdHint(raw.body);
    if (hint === null) return false;
    const known = this.byMatchKey.get('u:' + hint);
    if (known && known.bodyLength !== raw.body.byteLength) return false;
    // A deliver later than the match memory reaches (a queue backed up, MATCH_MEMORY publishes
    // ago) is found through the `_unique_id` index: decoding its body to learn the same id cost
    // a double JSON parse per delivery exactly when the agent is busiest. Unwritten records are
    // all recent, so in the match memory.
    const id = known ? known.id : this.deps.records.findByUniqueId(hint);
    if (id === null) return false;
    // The record in memory or read back is lean (lean-record.ts forgetBody): a delivery needs
    // none of its body fields, so neither body is decoded.
    const record = this.deps.records.get(id);
    if (!record || record.uniqueId !== hint) return false;
    // The size check the match memory's entry made: same id and size, or the full decode decides.
    if (!known && record.bodySize !== raw.body.byteLength) return false;
    // Only its trace headers are read: the body is the publish's.
    let delivery: DeliveryWire | null;
    try {
      delivery = deliveryOf(readTraceHeaders(raw).broker, raw.receivedAt);
    } catch {
      return false; // hostile headers: the full decode reports them
    }
    if (!delivery) return false;
    this.addDelivery(record, delivery, raw.source);
    return true;
  }

  private addDelivery(record: EnvelopeRecord, delivery: DeliveryWire, source: string): void {
    const { directory, attribution, records } = this.deps;
    if (delivery.connection !== null) directory.learnDelivery(source, delivery.connection, delivery.queue);
    record.deliveries = [...record.deliveries, delivery];
    attribution.reattribute(record, source);
    attribution.track(record);
    records.changed(record);
    attribution.propagateServer(record);
  }

  private ingestDeliver(raw: RawCapture, decoded: DecodedEnvelope, exported?: ExportedFacts): void {
    const delivery = deliveryOf(decoded.broker, raw.receivedAt);
    if (!delivery) return;
    const key = this.matchKeyOf(decoded, raw.body);
    const known = this.byMatchKey.get(key);
    const id = known?.id ?? (decoded.uniqueId ? this.deps.records.findByUniqueId(decoded.uniqueId) : null);
    const record = id !== null ? this.deps.records.get(id) : null;
    if (record) {
      this.addDelivery(record, delivery, raw.source);
      return;
    }
    if (delivery.connection !== null) this.deps.directory.learnDelivery(raw.source, delivery.connection, delivery.queue);
    // Publish not seen (capture started mid-flight, or the deliver overtook it): keep it as its own record.
    const verified = this.deps.decoder.verify(raw, decoded);
    const own = this.applyExported(
      buildRecord(this.deps.nextId(), verified.decoded, verified.verdict, {
        source: raw.source,
        capturedAt: raw.receivedAt,
        connection: null,
        process: null,
        replayOf: this.replayOf(decoded),
      }),
      exported,
    );
    own.deliveries = [delivery];
    this.byMatchKey.set(key, { id: own.id, deliverOnly: true, bodyLength: raw.body.byteLength });
    this.deps.admit(own, raw);
  }
}
