import { useEffect, useState } from 'react';
import type { ReplayAuditEntry } from '@osloscope/shared';
import { formatTime } from '../../components/format';
import { openDetail } from '../../stores/ui-store';
import { fetchReplayAudit } from './replay-api';

/** The replay audit log (GET /api/replay/audit), newest first; loaded when opened. */
export function ReplayAudit() {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<ReplayAuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return undefined;
    let live = true;
    fetchReplayAudit().then(
      (x) => live && setItems(x),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [open]);
  return (
    <details className="replay-audit" data-testid="replay-audit" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Replay audit log</summary>
      {error && <div className="error-text">{error}</div>}
      {items?.length === 0 && <div className="muted">No replays yet.</div>}
      {items && items.length > 0 && (
        <table className="mini-table">
          <thead>
            <tr>
              <th>at</th>
              <th>original</th>
              <th>replay</th>
              <th>method → routing key</th>
              <th>signed</th>
              <th>outcome</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.replayId} data-testid="replay-audit-row">
                <td>{formatTime(e.at)}</td>
                <td>
                  <button type="button" className="btn-link" onClick={() => openDetail(e.originalId)}>
                    #{e.originalId}
                  </button>
                </td>
                <td>
                  {e.newId !== null ? (
                    <button type="button" className="btn-link" onClick={() => openDetail(e.newId)}>
                      #{e.newId}
                    </button>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="mono">
                  {e.method} → {e.routingKey}
                  {e.retargetedFrom !== null && <span className="muted"> (confirmed elsewhere than the original: {e.retargetedFrom})</span>}
                </td>
                <td>{e.signed ? 'yes' : 'no'}</td>
                <td title={e.detail ?? ''}>
                  {e.outcome}
                  {e.detail ? `: ${e.detail}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
