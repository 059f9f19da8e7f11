import { formatTime } from '../../components/format';
import { useLive } from '../../stores/live-store';

/** Capture gaps (broker away, tracing off): messages in these windows were not seen. */
export function GapBanner() {
  const gaps = useLive((s) => s.gaps);
  if (gaps.length === 0) return null;
  return (
    <div className="gap-banner" role="status">
      {gaps.slice(-3).map((g) => (
        <div key={`${g.source}-${g.from}`} className="gap" data-testid="stream-gap" data-open={g.to === null}>
          ⚠ capture gap on <b>{g.source}</b> from {formatTime(g.from)} {g.to === null ? '(ongoing)' : `to ${formatTime(g.to)}`}: {g.reason}
        </div>
      ))}
    </div>
  );
}
