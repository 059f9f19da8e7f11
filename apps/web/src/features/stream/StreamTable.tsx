import { useCallback, useEffect, useMemo, useRef } from 'react';
import { formatCount, formatTotal } from '../../components/format';
import { isPaused, pauseLive, resumeLive, useLive } from '../../stores/live-store';
import { openDetail, useUi } from '../../stores/ui-store';
import { useVisibleIds } from '../../stores/visible-rows';
import { GapBanner } from './GapBanner';
import { StreamRow } from './StreamRow';
import { useRowWindow } from './row-window';

const ROW_HEIGHT = 24;

function PauseControl() {
  const paused = useLive(isPaused);
  const newCount = useLive((s) => s.newWhilePaused);
  return (
    <>
      <button
        type="button"
        className={`btn ${paused ? 'btn-active' : ''}`}
        data-testid="stream-pause"
        data-paused={paused}
        onClick={() => (paused ? resumeLive() : pauseLive())}
        title="Pause the view (space); capture continues"
      >
        {paused ? '▶ Resume' : '❚❚ Pause'}
      </button>
      {paused && (
        <button type="button" className="btn-link new-count" data-testid="stream-new-count" data-value={newCount} onClick={resumeLive}>
          {formatCount(newCount)} new
        </button>
      )}
    </>
  );
}

/** The live, virtualized message table (newest first). */
export function StreamTable() {
  const ids = useVisibleIds();
  const selectedId = useUi((s) => s.selectedId);
  const skipped = useLive((s) => s.skipped);
  const buffered = useLive((s) => s.buffered);
  const matching = useLive((s) => s.matchingTotal);
  const scrollRef = useRef<HTMLDivElement>(null);
  // 20 beyond the screen: enough for keyboard paging without a blank flash; every rendered
  // row costs DOM work each frame at high rates, so not more.
  const rows = useRowWindow(scrollRef, ids.length, ROW_HEIGHT, 20);

  // Keep the keyboard selection in view.
  const selectedIndex = useMemo(() => (selectedId === null ? -1 : ids.indexOf(selectedId)), [ids, selectedId]);
  useEffect(() => {
    if (selectedIndex >= 0) rows.scrollToIndex(selectedIndex);
    // Only when the selection moves, not on every new row.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId]);

  const onOpen = useCallback((id: number) => openDetail(id), []);
  const filterActive = useUi((s) => Object.keys(s.filter).length > 0);

  return (
    <section className="stream" data-testid="stream">
      <div className="panel-toolbar">
        <span className="panel-title">Messages</span>
        <PauseControl />
        <span className="muted" data-testid="stream-count" data-value={ids.length}>
          {formatCount(ids.length)} shown{filterActive ? ' (filtered)' : ''} · {formatCount(buffered)} buffered
        </span>
        {matching && (
          <span
            className="muted"
            data-testid="stream-total"
            data-value={matching.total}
            data-capped={matching.capped}
            title={matching.capped ? 'The agent stopped counting at this many: at least this many match' : undefined}
          >
            · {formatTotal(matching.total, matching.capped)} in capture
          </span>
        )}
        {skipped > 0 && (
          <span className="warn-text" data-testid="stream-skipped" title="The agent coalesced messages this browser could not keep up with">
            {formatCount(skipped)} skipped
          </span>
        )}
        <span className="spacer" />
        <span className="muted kbd-hint">j/k move · Enter open · Esc close · space pause</span>
      </div>
      <GapBanner />
      <div className="stream-head" role="row">
        <span className="c-time">time</span>
        <span className="c-kind">kind</span>
        <span className="c-exchange">exchange</span>
        <span className="c-topic">topic</span>
        <span className="c-server">server</span>
        <span className="c-method">method</span>
        <span className="c-version">ver</span>
        <span className="c-outcome">outcome</span>
        <span className="c-latency">latency</span>
        <span className="c-signature">signature</span>
      </div>
      <div className="stream-scroll" ref={scrollRef} role="grid" aria-rowcount={ids.length}>
        {ids.length === 0 && <div className="empty">No messages{filterActive ? ' match the filter' : ' yet'}.</div>}
        <div style={{ height: ids.length * ROW_HEIGHT, position: 'relative' }}>
          {/* Keyed by screen position, not id: as messages arrive at the top, each row node
              shows the next message (a few text updates) instead of every row being
              unmounted and a new one built, ~40 rows × 40 elements per frame at high rates. */}
          {ids.slice(rows.start, rows.end).map((id, i) => (
            <StreamRow key={rows.start + i} id={id} top={(rows.start + i) * ROW_HEIGHT} height={ROW_HEIGHT} selected={id === selectedId} onOpen={onOpen} />
          ))}
        </div>
      </div>
    </section>
  );
}
