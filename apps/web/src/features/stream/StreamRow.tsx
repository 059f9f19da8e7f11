import { memo } from 'react';
import { Badge } from '../../components/Badge';
import { formatLatency, formatTime } from '../../components/format';
import { kindLabel, outcomeLabel, outcomeTone, serverLabel, signatureText, signatureTone } from '../../components/record-display';
import { useBufferedRecord } from '../../stores/live-store';

/** One stream row. Subscribes to its own record only, so an update re-renders one row. */
export const StreamRow = memo(function StreamRow(props: { id: number; selected: boolean; top: number; height: number; onOpen: (id: number) => void }) {
  const rec = useBufferedRecord(props.id);
  if (!rec) return null;
  const kind = kindLabel(rec);
  const outcome = outcomeLabel(rec);
  const sig = rec.signature;
  const sigWords = signatureText(sig);
  const t = rec.target;
  return (
    <div
      role="row"
      className={`stream-row ${props.selected ? 'selected' : ''} ${sig.status === 'failed' ? 'sig-failed' : ''}`}
      style={{ transform: `translateY(${props.top}px)`, height: props.height }}
      data-testid="stream-row"
      data-id={rec.id}
      data-kind={kind}
      data-method={rec.method ?? ''}
      data-outcome={outcome}
      data-signature={sig.status}
      aria-selected={props.selected}
      onClick={() => props.onOpen(rec.id)}
    >
      <span className="c-time mono">{formatTime(rec.capturedAt)}</span>
      <span className="c-kind">
        <span className={`kind kind-${kind.replace(' ', '-')}`}>{kind}</span>
      </span>
      <span className="c-exchange" title={rec.exchange}>
        {t?.exchange ?? rec.exchange}
      </span>
      <span className="c-topic" title={rec.routingKey}>
        {t?.topic ?? rec.routingKey}
        {t?.namespace ? <span className="muted"> · {t.namespace}</span> : null}
      </span>
      <span className="c-server">{serverLabel(rec)}</span>
      <span className="c-method mono">{rec.method ?? rec.notification?.eventType ?? ''}</span>
      <span className="c-version mono">{t?.version ?? ''}</span>
      <span className="c-outcome">
        {outcome && (
          <Badge tone={outcomeTone(outcome)} title={rec.outcome?.failure ? `${rec.outcome.failure.class}: ${rec.outcome.failure.message}` : undefined}>
            {outcome}
          </Badge>
        )}
      </span>
      <span className="c-latency mono">{formatLatency(rec.outcome?.latencyMs)}</span>
      <span className="c-signature">
        {sig.status !== 'unsigned' && (
          <Badge tone={signatureTone(sig)} title={sigWords ?? undefined} testId="sig-badge">
            {sig.status === 'failed' ? `✗ ${sig.reason ?? 'failed'}` : sig.status}
          </Badge>
        )}
      </span>
    </div>
  );
});
