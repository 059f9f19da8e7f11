import {
  compareVersions,
  type OutcomeStatus,
  type ServerVersionRange,
  type VersionFailure,
  type VersionOutcomeCount,
  type VersionReport,
} from '@osloscope/shared';

/** One group of RPC requests sharing (exchange, topic, namespace, version, method, outcome, failure, server, client). */
export interface VersionFacet {
  exchange: string;
  topic: string;
  namespace: string | null;
  /** As sent; `null` = no version key (servers assume 1.0). */
  version: string | null;
  method: string | null;
  kind: 'call' | 'cast';
  outcome: OutcomeStatus | null;
  failureClass: string | null;
  server: string | null;
  client: string | null;
  count: number;
}

/** oslo servers treat a request without `version` as 1.0 (oslo-wire-format §4.2). */
const IMPLIED_VERSION = '1.0';

type Acc = VersionOutcomeCount & { clientSet: Set<string>; methodSet: Set<string> };

function versionRow(version: string): Acc {
  return {
    version,
    sent: 0,
    ok: 0,
    unsupportedVersion: 0,
    noSuchMethod: 0,
    otherErrors: 0,
    timeouts: 0,
    pending: 0,
    casts: 0,
    clients: [],
    methods: [],
    clientSet: new Set(),
    methodSet: new Set(),
  };
}

interface ReportAcc {
  report: VersionReport;
  versions: Map<string, Acc>;
  failures: Map<string, VersionFailure>;
  servers: Map<string, ServerVersionRange>;
}

/**
 * Version reports per (exchange, topic, namespace): which versions clients send, how servers
 * answered each, and a plain-language warning when clients send a version some server rejects
 * (a rolling upgrade in progress, or a client missing its `[upgrade_levels]` pin).
 */
export function buildVersionReports(facets: Iterable<VersionFacet>): VersionReport[] {
  const reports = new Map<string, ReportAcc>();
  for (const f of facets) {
    const key = [f.exchange, f.topic, f.namespace ?? ''].join('|');
    let acc = reports.get(key);
    if (!acc) {
      acc = {
        report: {
          key,
          exchange: f.exchange,
          topic: f.topic,
          namespace: f.namespace,
          versions: [],
          failures: [],
          servers: [],
          mixedVersions: false,
          warning: null,
        },
        versions: new Map(),
        failures: new Map(),
        servers: new Map(),
      };
      reports.set(key, acc);
    }
    const version = f.version ?? IMPLIED_VERSION;
    let row = acc.versions.get(version);
    if (!row) acc.versions.set(version, (row = versionRow(version)));
    row.sent += f.count;
    if (f.client !== null) row.clientSet.add(f.client);
    if (f.method !== null) row.methodSet.add(f.method);
    if (f.kind === 'call') countOutcome(row, f);
    else row.casts += f.count;
    trackFailure(acc, f, version);
    trackServer(acc, f, version);
  }
  return [...reports.values()].map(finish).sort((a, b) => a.key.localeCompare(b.key));
}

function countOutcome(row: Acc, f: VersionFacet): void {
  switch (f.outcome) {
    case 'ok':
      row.ok += f.count;
      break;
    case 'error':
      if (f.failureClass === 'UnsupportedVersion') row.unsupportedVersion += f.count;
      else if (f.failureClass === 'NoSuchMethod') row.noSuchMethod += f.count;
      else row.otherErrors += f.count;
      break;
    case 'timeout':
      row.timeouts += f.count;
      break;
    case 'pending':
      row.pending += f.count;
      break;
    default:
      break;
  }
}

function trackFailure(acc: ReportAcc, f: VersionFacet, version: string): void {
  if (f.outcome !== 'error' || (f.failureClass !== 'UnsupportedVersion' && f.failureClass !== 'NoSuchMethod')) return;
  const key = [version, f.method ?? '', f.failureClass, f.server ?? ''].join('|');
  const existing = acc.failures.get(key);
  if (existing) existing.count += f.count;
  else acc.failures.set(key, { version, method: f.method, class: f.failureClass, server: f.server, count: f.count });
}

/** A server accepted a version when it dispatched the call (any outcome but UnsupportedVersion). */
function trackServer(acc: ReportAcc, f: VersionFacet, version: string): void {
  if (f.server === null || f.kind !== 'call' || (f.outcome !== 'ok' && f.outcome !== 'error')) return;
  let range = acc.servers.get(f.server);
  if (!range) acc.servers.set(f.server, (range = { server: f.server, highestAccepted: null, lowestRejected: null }));
  if (f.failureClass === 'UnsupportedVersion') {
    if (range.lowestRejected === null || compareVersions(version, range.lowestRejected) < 0) range.lowestRejected = version;
  } else if (range.highestAccepted === null || compareVersions(version, range.highestAccepted) > 0) {
    range.highestAccepted = version;
  }
}

function finish(acc: ReportAcc): VersionReport {
  const versions = [...acc.versions.values()]
    .map(({ clientSet, methodSet, ...v }) => ({ ...v, clients: [...clientSet].sort(), methods: [...methodSet].sort() }))
    .sort((a, b) => compareVersions(a.version, b.version));
  const failures = [...acc.failures.values()].sort((a, b) => compareVersions(a.version, b.version) || b.count - a.count);
  const servers = [...acc.servers.values()].sort((a, b) => a.server.localeCompare(b.server));
  const rejected = versions.filter((v) => v.unsupportedVersion > 0);
  const mixedVersions = versions.length > 1 && rejected.length > 0;
  return { ...acc.report, versions, failures, servers, mixedVersions, warning: warningFor(failures, mixedVersions) };
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
}

function warningFor(failures: VersionFailure[], mixedVersions: boolean): string | null {
  const sentences: string[] = [];
  const byVersion = new Map<string, Set<string>>();
  for (const f of failures) {
    if (f.class !== 'UnsupportedVersion') continue;
    const servers = byVersion.get(f.version) ?? new Set<string>();
    servers.add(f.server ?? 'a server');
    byVersion.set(f.version, servers);
  }
  for (const [version, servers] of byVersion) {
    const who = list([...servers].sort());
    const why = mixedVersions
      ? 'a rolling upgrade in progress or a missing version pin ([upgrade_levels])'
      : 'the servers are older than the clients, or a version pin ([upgrade_levels]) is missing';
    sentences.push(`Clients send ${version} but ${who} ${servers.size > 1 ? 'reject' : 'rejects'} it (UnsupportedVersion): ${why}.`);
  }
  for (const f of failures) {
    if (f.class !== 'NoSuchMethod') continue;
    sentences.push(
      `${f.server ?? 'A server'} has no method ${f.method ?? '(unknown)'} (NoSuchMethod, version ${f.version}): the client is newer than the server or calls a method that does not exist.`,
    );
  }
  return sentences.length ? sentences.join(' ') : null;
}
