/** Rows of the version matrix: versions in numeric order, outcomes as shares. */
import { compareVersions, type VersionOutcomeCount, type VersionReport } from '@osloscope/shared';

export interface VersionRow extends VersionOutcomeCount {
  rejected: number;
  /** This version was rejected by at least one server (UnsupportedVersion / NoSuchMethod). */
  hasRejections: boolean;
}

export function versionRows(report: VersionReport): VersionRow[] {
  return [...report.versions]
    .sort((a, b) => compareVersions(a.version, b.version))
    .map((v) => {
      const rejected = v.unsupportedVersion + v.noSuchMethod;
      return { ...v, rejected, hasRejections: rejected > 0 };
    });
}

/** Reports with a warning first, then by exchange/topic/namespace. */
export function sortReports(reports: readonly VersionReport[]): VersionReport[] {
  return [...reports].sort(
    (a, b) =>
      Number(b.warning !== null) - Number(a.warning !== null) ||
      a.exchange.localeCompare(b.exchange) ||
      a.topic.localeCompare(b.topic) ||
      (a.namespace ?? '').localeCompare(b.namespace ?? ''),
  );
}
