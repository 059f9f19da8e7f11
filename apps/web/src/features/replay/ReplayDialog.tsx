/**
 * The Replay dialog: edit the captured call/cast, preview exactly what will be published,
 * confirm, then watch the replay's outcome next to the original's. Replay must be enabled
 * on the agent (`--allow-replay`); otherwise the dialog explains how.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { describeReplayOutcome, type EnvelopeDetail, type ReplayPreview, type ReplayRequestWire, type ReplayResult } from '@osloscope/shared';
import { openDetail } from '../../stores/ui-store';
import { useAgent } from '../../stores/agent-store';
import { fetchTopicServers, previewReplay, ReplayApiError, sendReplay } from './replay-api';
import { ReplayAudit } from './ReplayAudit';
import { initialForm, maskedFieldsIn, toRequest, type ReplayForm } from './replay-form';
import { useSettledEnvelope } from './use-replay-outcome';
import './replay.css';

type Step =
  | { kind: 'edit'; error: string | null }
  | { kind: 'previewing' }
  | { kind: 'preview'; request: ReplayRequestWire; preview: ReplayPreview; error: string | null }
  | { kind: 'sending'; preview: ReplayPreview }
  | { kind: 'sent'; preview: ReplayPreview; result: ReplayResult };

function errorText(e: unknown): string {
  if (e instanceof ReplayApiError && e.retryAfterS !== null) return `${e.message} (retry in ${e.retryAfterS} s)`;
  return e instanceof Error ? e.message : String(e);
}

function Row(props: { label: string; children: ReactNode }) {
  return (
    <label className="replay-row">
      <span className="replay-label">{props.label}</span>
      {props.children}
    </label>
  );
}

/** The replay's (or the original's) outcome in words: answered, remote error, timed out with what the broker saw, unroutable. */
function OutcomeCell(props: { title: string; d: EnvelopeDetail | null; kind: 'call' | 'cast'; routed: boolean; deliveriesVisible: boolean; testId: string }) {
  const d = props.d;
  const words = describeReplayOutcome({
    kind: props.kind,
    routed: props.routed,
    record: d,
    routedQueues: d?.broker?.routedQueues ?? null,
    deliveriesVisible: props.deliveriesVisible,
    timeoutMs: d?.expirationMs ?? null,
  });
  return (
    <div className="replay-outcome" data-testid={props.testId} data-status={d?.outcome?.status ?? ''} data-verdict={words.verdict}>
      <h5>{props.title}</h5>
      {d && (
        <button type="button" className="btn-link" onClick={() => openDetail(d.id)} data-testid={`${props.testId}-open`}>
          #{d.id}
        </button>
      )}
      <div className={`replay-status replay-verdict-${words.verdict}`} data-testid={`${props.testId}-words`}>
        {words.headline}
      </div>
      {words.broker !== null && (
        <div className="muted" data-testid={`${props.testId}-broker`}>
          {words.broker}
        </div>
      )}
      {d?.outcome?.replyId != null && (
        <button type="button" className="btn-link" onClick={() => openDetail(d.outcome!.replyId!)} data-testid={`${props.testId}-reply`}>
          reply #{d.outcome.replyId} →
        </button>
      )}
    </div>
  );
}

function PreviewView(props: { p: ReplayPreview }) {
  const p = props.p;
  return (
    <div className="replay-preview" data-testid="replay-preview">
      <p>
        This exact message will be published to broker <b>{p.source}</b>:
      </p>
      <dl>
        <dt>exchange</dt>
        <dd className="mono">{p.exchange || '(default exchange)'}</dd>
        <dt>routing key</dt>
        <dd className="mono" data-testid="replay-preview-routing-key">
          {p.routingKey}
        </dd>
        <dt>kind</dt>
        <dd>{p.kind}</dd>
        {p.kind === 'call' && (
          <>
            <dt>reply to</dt>
            <dd className="mono">
              {p.replyQueue} (osloscope&apos;s own queue; waits {p.timeoutMs} ms)
            </dd>
          </>
        )}
        <dt>signature</dt>
        <dd data-testid="replay-signing-note" className={p.signed ? '' : 'warn-text'}>
          {p.signingNote}
        </dd>
      </dl>
      {p.maskedFields.length > 0 && (
        <div className="muted" data-testid="replay-preview-masked">
          Secrets masked in this view: {p.maskedFields.join(', ')}. The real values are published.
        </div>
      )}
      {p.warnings.map((w) => (
        <div key={w} className="warn-text">
          {w}
        </div>
      ))}
      <pre className="json replay-body" data-testid="replay-preview-body">
        {prettyInner(p.innerMessage)}
      </pre>
      <details>
        <summary>raw body and AMQP properties</summary>
        <pre className="json replay-body">{p.body}</pre>
        <pre className="json">{JSON.stringify(p.properties, null, 2)}</pre>
      </details>
    </div>
  );
}

function prettyInner(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function ReplayDialog(props: { original: EnvelopeDetail; onClose: () => void }) {
  const d = props.original;
  const health = useAgent((s) => s.health);
  const enabled = health?.replayEnabled ?? false;
  const imported = !(health?.sources ?? []).some((s) => s.name === d.source && (s.mode === 'firehose' || s.mode === 'tap'));
  // Only the firehose sees deliveries; tap mode and imports cannot say what the broker did.
  const deliveriesVisible = (source: string) => (health?.sources ?? []).some((s) => s.name === source && s.mode === 'firehose');
  const [form, setForm] = useState<ReplayForm>(() => initialForm(d));
  const [step, setStep] = useState<Step>({ kind: 'edit', error: null });
  /** The user ticked "publish to this other target" for the current preview. */
  const [targetConfirmed, setTargetConfirmed] = useState(false);
  const [servers, setServers] = useState<string[]>([]);
  const topic = d.target?.topic ?? null;

  useEffect(() => {
    if (topic === null || !enabled) return;
    let live = true;
    void fetchTopicServers(topic).then((s) => live && setServers(s));
    return () => {
      live = false;
    };
  }, [topic, enabled]);

  const sentTo = step.kind === 'sent' ? step.preview.source : d.source;
  const replayId = step.kind === 'sent' ? step.result.id : null;
  const replayed = useSettledEnvelope(replayId);
  const originalNow = useSettledEnvelope(step.kind === 'sent' ? d.id : null);
  const masked = maskedFieldsIn(form);
  const set = (k: keyof ReplayForm) => (e: { target: { value: string } }) => {
    setForm({ ...form, [k]: e.target.value });
    if (step.kind === 'preview') setStep({ kind: 'edit', error: null });
  };

  async function preview() {
    const req = toRequest(d, form, imported);
    if (!req.ok) return setStep({ kind: 'edit', error: req.error });
    setStep({ kind: 'previewing' });
    try {
      setTargetConfirmed(false);
      setStep({ kind: 'preview', request: req.value, preview: await previewReplay(req.value), error: null });
    } catch (e) {
      setStep({ kind: 'edit', error: errorText(e) });
    }
  }

  async function send(request: ReplayRequestWire, p: ReplayPreview) {
    setStep({ kind: 'sending', preview: p });
    try {
      setStep({ kind: 'sent', preview: p, result: await sendReplay(request, p.previewId, p.retarget !== null && targetConfirmed) });
    } catch (e) {
      setStep({ kind: 'preview', request, preview: p, error: errorText(e) });
    }
  }

  const editing = step.kind === 'edit' || step.kind === 'previewing';
  return (
    <div className="replay-backdrop" role="presentation" onClick={props.onClose}>
      <div
        className="replay-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={`Replay message #${d.id}`}
        data-testid="replay-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="panel-toolbar">
          <span className="panel-title">
            Replay {d.kind} #{d.id}
          </span>
          <span className="spacer" />
          <button type="button" className="btn" onClick={props.onClose} data-testid="replay-close">
            ✕
          </button>
        </div>
        {!enabled ? (
          <div className="replay-body-pane" data-testid="replay-disabled">
            {health?.readOnly ? (
              <p>
                Replay is off: the agent runs with <code>--read-only</code>, which never publishes to a broker, whatever else is given.
              </p>
            ) : (
              <p>
                Replay is off. It publishes messages to your broker again, so the agent only allows it when started with <code>--allow-replay</code>, e.g.{' '}
                <code>osloscope --transport-url rabbit://… --allow-replay</code>.
              </p>
            )}
            {health?.demo && <p className="muted">The built-in demo never replays: there is no broker behind it.</p>}
          </div>
        ) : step.kind === 'sent' ? (
          <div className="replay-body-pane" data-testid="replay-sent">
            <p>
              Replayed {step.preview.kind} <b>{step.preview.method}</b> to <span className="mono">{step.preview.routingKey}</span>
            </p>
            {step.result.id === null && step.result.routed && (
              <p className="muted">Not captured yet: look for unique id {step.result.replayId} in the stream.</p>
            )}
            <div className="replay-compare">
              <OutcomeCell
                title="original"
                d={originalNow}
                kind={step.preview.kind}
                routed
                deliveriesVisible={deliveriesVisible(d.source)}
                testId="replay-original"
              />
              <OutcomeCell
                title="replay"
                d={replayed}
                kind={step.preview.kind}
                routed={step.result.routed}
                deliveriesVisible={deliveriesVisible(sentTo)}
                testId="replay-result"
              />
            </div>
          </div>
        ) : (
          <div className="replay-body-pane">
            {imported && (
              <p className="warn-text">
                This message comes from <b>{d.source}</b>, not from an attached broker: confirm the target below; it is published to the agent&apos;s broker.
              </p>
            )}
            <fieldset disabled={!editing}>
              <Row label="exchange">
                <input className="mono" value={form.exchange} onChange={set('exchange')} data-testid="replay-exchange" />
              </Row>
              <Row label="routing key">
                <input className="mono" value={form.routingKey} onChange={set('routingKey')} disabled={form.server !== ''} data-testid="replay-routing-key" />
              </Row>
              <Row label="or server">
                <select value={form.server} onChange={set('server')} data-testid="replay-server">
                  <option value="">(routing key above)</option>
                  {servers.map((s) => (
                    <option key={s} value={s}>
                      {topic}.{s}
                    </option>
                  ))}
                </select>
              </Row>
              <Row label="method">
                <input className="mono" value={form.method} onChange={set('method')} data-testid="replay-method" />
              </Row>
              <Row label="version">
                <input className="mono" value={form.version} onChange={set('version')} placeholder="none (1.0)" data-testid="replay-version" />
              </Row>
              <Row label="namespace">
                <input className="mono" value={form.namespace} onChange={set('namespace')} placeholder="default" data-testid="replay-namespace" />
              </Row>
              <Row label="args (JSON)">
                <textarea className="mono" rows={6} value={form.args} onChange={set('args')} data-testid="replay-args" />
              </Row>
              <Row label="context (JSON)">
                <textarea className="mono" rows={6} value={form.context} onChange={set('context')} data-testid="replay-context" />
              </Row>
            </fieldset>
            {masked.length > 0 && (
              <p className="muted" data-testid="replay-masked-note">
                Masked secrets: {masked.join(', ')}. Left untouched, the original values are sent; if you edit that JSON, supply the real value or remove the
                field (the mask is never sent).
              </p>
            )}
            {step.kind === 'edit' && step.error && (
              <p className="error-text" data-testid="replay-error">
                {step.error}
              </p>
            )}
            {(step.kind === 'preview' || step.kind === 'sending') && <PreviewView p={step.preview} />}
            {(step.kind === 'preview' || step.kind === 'sending') && step.preview.retarget !== null && (
              <label className="warn-text replay-retarget" data-testid="replay-retarget">
                <input type="checkbox" checked={targetConfirmed} onChange={(e) => setTargetConfirmed(e.target.checked)} data-testid="replay-confirm-target" />{' '}
                Publish to <b className="mono">{step.preview.retarget.to}</b>, not where the original went (
                <span className="mono">{step.preview.retarget.from}</span>)
              </label>
            )}
            {step.kind === 'preview' && step.error && (
              <p className="error-text" data-testid="replay-error">
                {step.error}
              </p>
            )}
            <div className="replay-actions">
              {editing ? (
                <button type="button" className="btn" onClick={() => void preview()} disabled={step.kind === 'previewing'} data-testid="replay-preview-btn">
                  Preview…
                </button>
              ) : (
                <>
                  <button type="button" className="btn" onClick={() => setStep({ kind: 'edit', error: null })} data-testid="replay-back">
                    Edit
                  </button>
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={step.kind === 'sending' || (step.kind === 'preview' && step.preview.retarget !== null && !targetConfirmed)}
                    onClick={() => step.kind === 'preview' && void send(step.request, step.preview)}
                    data-testid="replay-confirm"
                  >
                    Publish this message
                  </button>
                </>
              )}
            </div>
          </div>
        )}
        <div className="replay-body-pane">
          <ReplayAudit />
        </div>
      </div>
    </div>
  );
}

/** The detail panel's Replay button (calls and casts only); opens the dialog. */
export function ReplayButton(props: { detail: EnvelopeDetail }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn" data-testid="replay-open" onClick={() => setOpen(true)} title="Publish this message again">
        Replay…
      </button>
      {open && <ReplayDialog original={props.detail} onClose={() => setOpen(false)} />}
    </>
  );
}
