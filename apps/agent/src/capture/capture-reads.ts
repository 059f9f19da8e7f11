/**
 * What the API, the stream and export read from the capture: pages of records, one record's
 * detail, the raw bytes for replay, flows, versions, gaps, the NDJSON export. Each read first
 * settles (the write queue is written; what the directory learned is stored), so SQL sees
 * what the live view already shows.
 */
import type { EnvelopeDetail, EnvelopeFilter, EnvelopeRecord } from '@osloscope/shared';
import type { CaptureService, PageRequest } from '../ports/capture-service.js';
import { flowsOf, versionsOf } from '../store/aggregates.js';
import { TOTAL_COUNT_CAP, type CaptureStore } from '../store/capture-store.js';
import { filterToSql } from '../store/filter-sql.js';
import type { MessageDecoder } from './message-decoder.js';
import { exportLine, exportTrailer, exportTrailerLine } from './ndjson.js';
import { maskedAtExportOf, presentDetail, presentLostDetail, presentRecord } from './present.js';

export interface CaptureReadsDeps {
  store: CaptureStore;
  decoder: MessageDecoder;
  showSecrets: boolean;
  /** Records stored, written or not (the total of an unfiltered page). */
  storedCount(): number;
  /** The write queue written and late attribution stored. */
  settle(): void;
  /** The write queue written. */
  drainWrites(): void;
  /** A record as it leaves the core: servers and processes learned since filled in. */
  refreshed(record: EnvelopeRecord): EnvelopeRecord;
}

export type CaptureReads = Pick<CaptureService, 'query' | 'get' | 'getRaw' | 'flows' | 'versions' | 'gaps' | 'exportNdjson'>;

export function createCaptureReads(deps: CaptureReadsDeps): CaptureReads {
  const { store, showSecrets } = deps;
  return {
    query(filter: EnvelopeFilter, page: PageRequest) {
      deps.settle();
      const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
      const where = filterToSql(filter);
      const bounds = [];
      if (page.before !== undefined) bounds.push({ sql: 'id < ?', params: [page.before] });
      if (page.after !== undefined) bounds.push({ sql: 'id > ?', params: [page.after] });
      const items = store.page(filterToSql(filter, bounds), limit).map((r) => presentRecord(deps.refreshed(r), showSecrets));
      if (where.sql === '1' && where.from === undefined) return { items, total: deps.storedCount() };
      // A filtered total is counted up to TOTAL_COUNT_CAP (an exact count scans every match).
      const counted = store.countUpTo(where, TOTAL_COUNT_CAP);
      return counted.capped ? { items, total: counted.count, totalCapped: true } : { items, total: counted.count };
    },
    get(id): EnvelopeDetail | null {
      deps.settle();
      const row = store.getRow(id);
      if (!row) return null;
      if (row.raw === null) return presentLostDetail(deps.refreshed(row.record), row.lost, showSecrets);
      const decoded = deps.decoder.decode(row.raw);
      return presentDetail(deps.refreshed(row.record), row.raw.body, decoded, showSecrets);
    },
    getRaw(id) {
      deps.drainWrites();
      const row = store.getRow(id);
      if (!row) return null;
      const record = presentRecord(row.record, showSecrets);
      return row.raw === null ? { record, body: null, rawMissing: row.lost } : { record, body: row.raw.body };
    },
    flows(filter) {
      deps.settle();
      return flowsOf(store, filter);
    },
    versions(filter) {
      deps.settle();
      return versionsOf(store, filter);
    },
    gaps() {
      deps.drainWrites();
      return store.gaps();
    },
    exportNdjson(filter, write) {
      deps.settle();
      let lines = 0;
      /** Records left out (raw event lost), by reason. */
      const leftOut = new Map<string, number>();
      for (const row of store.iterateRows(filterToSql(filter))) {
        if (row.raw === null) {
          leftOut.set(row.lost, (leftOut.get(row.lost) ?? 0) + 1);
          continue;
        }
        const record = deps.refreshed(row.record);
        write(exportLine({ record: presentRecord(record, showSecrets), raw: row.raw, maskedAtExport: maskedAtExportOf(record) }, showSecrets));
        lines++;
      }
      const trailer = exportTrailer(lines, leftOut);
      write(exportTrailerLine(trailer));
      return trailer;
    },
  };
}
