import type { ReactNode } from 'react';
import { displayJson, type EnvelopeDetail, type RemoteFailure } from '@osloscope/shared';
import { Badge } from '../../components/Badge';
import { formatBytes, formatLatency, formatTime } from '../../components/format';
import { kindLabel, outcomeLabel, outcomeTone, signatureText, signatureTone } from '../../components/record-display';
import { openDetail, useUi } from '../../stores/ui-store';
import { isReplayable } from '../replay/replay-form';
import { ReplayButton } from '../replay/ReplayDialog';
import { maskingNotes } from './masking';
import { RawBody } from './RawBody';
import { useEnvelope } from './use-envelope';

function Section(props: { title: string; testId: string; children: ReactNode }) {
  return (
    <section className="detail-section" data-testid={props.testId}>
      <h4>{props.title}</h4>
      {props.children}
    </section>
  );
}

function Field(props: { k: string; children: ReactNode }) {
  return (
    <>
      <dt>{props.k}</dt>
      <dd>{props.children ?? <span className="muted">—</span>}</dd>
    </>
  );
}

/** A decoded value as indented JSON; Python's NaN and ±Infinity shown bare, as oslo wrote them. */
function Json(props: { value: unknown; testId?: string }) {
  return (
    <pre className="json" data-testid={props.testId}>
      {displayJson(props.value)}
    </pre>
  );
}

function FailureView(props: { failure: Pick<RemoteFailure, 'class' | 'module' | 'message'> & { traceback?: string[] } }) {
  const f = props.failure;
  return (
    <Section title="Remote failure" testId="detail-failure">
      <div className="failure-head">
        <b data-testid="detail-failure-class">{f.class}</b> <span className="muted">{f.module}</span>
      </div>
      <div className="failure-message">{f.message}</div>
      {f.traceback && f.traceback.length > 0 && <pre className="traceback">{f.traceback.join('')}</pre>}
    </Section>
  );
}

/** For a failed call the traceback lives on its reply: load it too. */
function LinkedFailure(props: { replyId: number }) {
  const reply = useEnvelope(props.replyId);
  if (reply.state !== 'ok' || !reply.value.reply?.failure) return null;
  return <FailureView failure={reply.value.reply.failure} />;
}

function Body(props: { d: EnvelopeDetail }) {
  const d = props.d;
  const t = d.target;
  const outcome = outcomeLabel(d);
  const linkId = d.outcome?.replyId ?? d.requestId;
  const sigWords = signatureText(d.signature);
  const masking = maskingNotes(d);
  return (
    <>
      <div className="detail-title">
        <span className={`kind kind-${kindLabel(d)}`}>{kindLabel(d)}</span>
        <b className="mono" data-testid="detail-method">
          {d.method ?? d.notification?.eventType ?? '(no method)'}
        </b>
        {outcome && (
          <Badge tone={outcomeTone(outcome)} testId="detail-outcome">
            {outcome}
          </Badge>
        )}
        <span className="muted">
          #{d.id} · {formatTime(d.capturedAt)} · {formatBytes(d.bodySize)}
        </span>
        {isReplayable(d) && <ReplayButton key={d.id} detail={d} />}
      </div>
      {masking.secrets && (
        <div className="muted" data-testid="detail-masked">
          {masking.secrets}
        </div>
      )}

      {d.rawMissing && (
        <Section title="Raw event missing" testId="detail-raw-missing">
          <div className="error-text">{d.rawMissing}</div>
        </Section>
      )}

      {d.decodeError && (
        <Section title="Decode error" testId="detail-decode-error">
          <b>{d.decodeError.code}</b>: {d.decodeError.message}
        </Section>
      )}

      <Section title="Target" testId="detail-target">
        <dl>
          <Field k="exchange">{t?.exchange ?? d.exchange}</Field>
          <Field k="topic">{t?.topic}</Field>
          <Field k="namespace">{t ? (t.namespace ?? 'default') : null}</Field>
          <Field k="version">{t ? (t.version ?? 'none sent (1.0)') : null}</Field>
          <Field k="server">{t?.server ?? d.server}</Field>
          <Field k="fanout">{t?.fanout ? 'yes' : 'no'}</Field>
          <Field k="routing key">{d.routingKey || '(default exchange)'}</Field>
        </dl>
      </Section>

      <Section title="Signature" testId="detail-signature">
        <Badge tone={signatureTone(d.signature)}>{d.signature.status}</Badge>
        {d.signature.reason && <b> {d.signature.reason}</b>}
        {sigWords && (
          <div className={d.signature.status === 'failed' ? 'error-text' : 'muted'} data-testid="detail-signature-reason">
            {sigWords}
          </div>
        )}
      </Section>

      {linkId !== null && (
        <Section title={d.requestId !== null ? 'Request' : 'Reply'} testId="detail-link">
          <button type="button" className="btn-link" data-testid="detail-link-open" onClick={() => openDetail(linkId)}>
            open {d.requestId !== null ? 'request' : 'reply'} #{linkId} →
          </button>
          {d.outcome?.latencyMs != null && <span> latency {formatLatency(d.outcome.latencyMs)}</span>}
        </Section>
      )}

      {d.outcome && (
        <Section title="Outcome" testId="detail-outcome-section">
          <dl>
            <Field k="status">{d.outcome.status}</Field>
            <Field k="latency">{formatLatency(d.outcome.latencyMs) || null}</Field>
            <Field k="heartbeats">
              <span data-testid="detail-heartbeats">{d.outcome.heartbeats}</span>
            </Field>
            <Field k="timeout">{d.callMonitorTimeout !== null ? `${d.callMonitorTimeout} s (call monitor)` : null}</Field>
            <Field k="expiration">{d.expirationMs !== null ? `${d.expirationMs} ms` : null}</Field>
          </dl>
        </Section>
      )}
      {d.reply?.failure ? (
        <FailureView failure={d.reply.failure} />
      ) : d.outcome?.failure && d.outcome.replyId !== null ? (
        <LinkedFailure replyId={d.outcome.replyId} />
      ) : d.outcome?.failure ? (
        <FailureView failure={d.outcome.failure} />
      ) : null}

      {d.args && (
        <Section title="Arguments" testId="detail-args">
          <Json value={d.args} />
        </Section>
      )}
      {d.reply && !d.reply.failure && (
        <Section title={d.reply.heartbeat ? 'Heartbeat' : 'Result'} testId="detail-result">
          <Json value={d.reply.result} />
        </Section>
      )}
      {d.notification && (
        <Section title="Notification" testId="detail-notification">
          <dl>
            <Field k="event type">{d.notification.eventType}</Field>
            <Field k="priority">{d.notification.priority}</Field>
            <Field k="publisher">{d.notification.publisherId}</Field>
            <Field k="timestamp">{d.notification.timestamp}</Field>
          </dl>
          <Json value={d.notification.payload} />
        </Section>
      )}
      {d.context && (
        <Section title="Context" testId="detail-context">
          <Json value={d.context} />
        </Section>
      )}

      <Section title="Ids" testId="detail-ids">
        <dl>
          <Field k="msg id">{d.msgId}</Field>
          <Field k="unique id">{d.uniqueId}</Field>
          <Field k="reply queue">{d.replyQueue}</Field>
          <Field k="envelope">{d.envelopeVersion ?? 'bare (1.0)'}</Field>
          <Field k="source">{d.source}</Field>
          <Field k="client">{d.client?.process ?? d.client?.connection ?? d.client?.replyQueue}</Field>
          {d.replayOf !== null && <Field k="replay of">#{d.replayOf}</Field>}
        </dl>
      </Section>

      <Section title="Broker" testId="detail-broker">
        <dl>
          <Field k="node">{d.broker?.node}</Field>
          <Field k="vhost">{d.broker?.vhost}</Field>
          <Field k="connection">{d.broker?.connection}</Field>
          <Field k="user">{d.broker?.user}</Field>
          <Field k="routed to">
            {d.broker?.routedQueues ? (
              d.broker.routedQueues.length === 0 ? (
                <span className="error-text">unroutable (no queue)</span>
              ) : (
                d.broker.routedQueues.join(', ')
              )
            ) : null}
          </Field>
        </dl>
        {d.deliveries.length > 0 && (
          <table className="mini-table" data-testid="detail-deliveries">
            <thead>
              <tr>
                <th>queue</th>
                <th>server</th>
                <th>connection</th>
                <th>at</th>
              </tr>
            </thead>
            <tbody>
              {d.deliveries.map((dl, i) => (
                <tr key={i}>
                  <td>{dl.queue}</td>
                  <td>{dl.server ?? '—'}</td>
                  <td>{dl.connection ?? '—'}</td>
                  <td>
                    {formatTime(dl.at)}
                    {dl.redelivered ? ' (redelivered)' : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      {!d.rawMissing && <RawBody rawBase64={d.rawBase64} bodySize={d.bodySize} maskedFields={d.maskedFields} bodyMaskedAtExport={d.bodyMaskedAtExport} />}
    </>
  );
}

/** The message detail side panel (Esc closes). */
export function DetailPanel() {
  const id = useUi((s) => s.detailId);
  const detail = useEnvelope(id);
  if (id === null) return null;
  return (
    <aside className="detail" data-testid="detail-panel" data-id={id}>
      <div className="panel-toolbar">
        <span className="panel-title">Message #{id}</span>
        <span className="spacer" />
        <button type="button" className="btn" data-testid="detail-close" onClick={() => openDetail(null)} title="Close (Esc)">
          ✕
        </button>
      </div>
      <div className="detail-body">
        {detail.state === 'loading' && <div className="muted">loading…</div>}
        {detail.state === 'error' && (
          <div className="error-text" data-testid="detail-error">
            {detail.error}
          </div>
        )}
        {detail.state === 'ok' && <Body d={detail.value} />}
      </div>
    </aside>
  );
}
