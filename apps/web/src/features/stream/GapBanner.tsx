import type { CaptureGap } from '@osloscope/shared';
import { formatCount, formatTime } from '../../components/format';
import { useLive } from '../../stores/live-store';

/** "8,000 messages not captured" when the agent could count them (the broker told it), else nothing. */
export function lostText(gap: Pick<CaptureGap, 'lost'>): string | null {
  if (gap.lost == null) return null;
  return `${formatCount(gap.lost)} ${gap.lost === 1 ? 'message' : 'messages'} not captured`;
}

/** Capture gaps (broker away, tracing off, agent not running): messages in these windows were not seen. */
export function GapBanner() {
  const gaps = useLive((s) => s.gaps);
  if (gaps.length === 0) return null;
  return (
    <div className="gap-banner" role="status">
      {gaps.slice(-3).map((g) => {
        const lost = lostText(g);
        return (
          <div key={`${g.source}-${g.from}`} className="gap" data-testid="stream-gap" data-open={g.to === null}>
            ⚠ capture gap on <b>{g.source}</b> from {formatTime(g.from)} {g.to === null ? '(ongoing)' : `to ${formatTime(g.to)}`}
            {lost !== null && (
              <>
                , <b data-testid="gap-lost">{lost}</b>
              </>
            )}
            : {g.reason}
          </div>
        );
      })}
    </div>
  );
}
