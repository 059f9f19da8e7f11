import { useEffect, useState } from 'react';
import type { VersionReport } from '@osloscope/shared';
import { fetchVersions } from '../../connection/socket';
import { useAgent } from '../../stores/agent-store';
import { mergeFilter, useUi } from '../../stores/ui-store';
import { sortReports, versionRows } from './version-rows';

const REFRESH_MS = 5000;

function Cell(props: { n: number; tone?: 'error' | 'warn' }) {
  if (props.n === 0) return <td className="num muted">0</td>;
  return <td className={`num ${props.tone ? `${props.tone}-text` : ''}`}>{props.n}</td>;
}

function ReportCard(props: { report: VersionReport }) {
  const r = props.report;
  return (
    <div className="version-card" data-testid="version-report" data-key={r.key} data-mixed={r.mixedVersions}>
      <div className="version-card-head">
        <button
          type="button"
          className="btn-link"
          onClick={() => mergeFilter({ exchange: r.exchange, topic: r.topic, namespace: r.namespace ?? '' })}
          title="Filter everything to this target"
        >
          <b>
            {r.exchange} / {r.topic}
          </b>
        </button>
        <span className="muted"> · namespace {r.namespace ?? 'default'}</span>
      </div>
      {r.warning && (
        <div className="warning-banner" data-testid="version-warning">
          ⚠ {r.warning}
        </div>
      )}
      <div className="version-tables">
        <table className="mini-table" data-testid="version-matrix">
          <thead>
            <tr>
              <th>version sent</th>
              <th className="num">sent</th>
              <th className="num">accepted</th>
              <th className="num">UnsupportedVersion</th>
              <th className="num">NoSuchMethod</th>
              <th className="num">other errors</th>
              <th className="num">timeouts</th>
              <th className="num">pending</th>
              <th className="num" title="casts and fanouts get no reply, so their outcome is not visible">
                casts (no reply)
              </th>
              <th>clients</th>
            </tr>
          </thead>
          <tbody>
            {versionRows(r).map((v) => (
              <tr key={v.version} data-testid="version-row" data-version={v.version} className={v.hasRejections ? 'row-bad' : ''}>
                <td className="mono">{v.version}</td>
                <Cell n={v.sent} />
                <Cell n={v.ok} />
                <Cell n={v.unsupportedVersion} tone="error" />
                <Cell n={v.noSuchMethod} tone="error" />
                <Cell n={v.otherErrors} tone="error" />
                <Cell n={v.timeouts} tone="warn" />
                <Cell n={v.pending} />
                <Cell n={v.casts} />
                <td className="clients" title={v.clients.join('\n')}>
                  {v.clients.slice(0, 3).join(', ')}
                  {v.clients.length > 3 ? ` +${v.clients.length - 3}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {r.servers.length > 0 && (
          <table className="mini-table" data-testid="version-servers">
            <thead>
              <tr>
                <th>server</th>
                <th>highest accepted</th>
                <th>lowest rejected</th>
              </tr>
            </thead>
            <tbody>
              {r.servers.map((s) => (
                <tr key={s.server} data-testid="version-server" data-server={s.server}>
                  <td>{s.server}</td>
                  <td className="mono">{s.highestAccepted ?? '—'}</td>
                  <td className={`mono ${s.lowestRejected ? 'error-text' : ''}`}>{s.lowestRejected ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {r.failures.length > 0 && (
        <ul className="version-failures">
          {r.failures.map((f, i) => (
            <li key={i}>
              <span className="error-text">{f.class}</span> for {f.method ?? 'a call'} v{f.version}
              {f.server ? ` on ${f.server}` : ''} × {f.count}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Version negotiation per (exchange, topic, namespace), from the agent's `versions:get`. */
export function VersionsView() {
  const filter = useUi((s) => s.filter);
  const connected = useAgent((s) => s.connection === 'connected');
  const [reports, setReports] = useState<VersionReport[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!connected) return undefined;
    let live = true;
    const load = () =>
      fetchVersions(filter).then(
        (r) => {
          if (!live) return;
          setReports(sortReports(r));
          setError(null);
        },
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [filter, connected]);

  return (
    <div className="versions" data-testid="versions-view">
      {error && <div className="error-text">could not load versions: {error}</div>}
      {reports === null && !error && <div className="empty">loading version report…</div>}
      {reports?.length === 0 && <div className="empty">No RPC calls with versions match the filter yet.</div>}
      {reports?.map((r) => (
        <ReportCard key={r.key} report={r} />
      ))}
    </div>
  );
}
