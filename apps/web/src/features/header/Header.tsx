import { Badge } from '../../components/Badge';
import { formatBytes, formatCount } from '../../components/format';
import { useAgent, type ConnectionState } from '../../stores/agent-store';
import { useLive } from '../../stores/live-store';
import { describeSource } from './source-status';
import { StoreProblems } from './StoreProblems';
import { StoreWriteErrorBadge } from './StoreWriteErrorBadge';

const CONNECTION_TONE: Record<ConnectionState, 'ok' | 'warn' | 'error' | 'info'> = {
  connected: 'ok',
  connecting: 'info',
  reconnecting: 'warn',
  disconnected: 'error',
};

function Count(props: { label: string; value: number; testId: string; tone?: 'error' | 'warn' }) {
  const alert = props.value > 0 ? props.tone : undefined;
  return (
    <span className={`count ${alert ? `count-${alert}` : ''}`} data-testid={props.testId} data-value={props.value}>
      <span className="count-label">{props.label}</span> <span className="count-value">{formatCount(props.value)}</span>
    </span>
  );
}

/** Always visible: agent connection, each source, a stalled, failing, read-only or damaged store, capture counts, signature failures. */
export function Header() {
  const connection = useAgent((s) => s.connection);
  const health = useAgent((s) => s.health);
  const mismatch = useAgent((s) => s.protocolMismatch);
  const agentVersion = useAgent((s) => s.agentVersion);
  const bufferedSigFailures = useLive((s) => s.failedSignatures);
  const counts = health?.counts;
  const sigFailures = Math.max(counts?.signatureFailures ?? 0, bufferedSigFailures);

  return (
    <header className="header" data-testid="header">
      <span className="brand">osloscope</span>
      {health?.demo && (
        <Badge tone="info" testId="demo-badge" title="Simulated OpenStack traffic, not a real broker">
          DEMO
        </Badge>
      )}
      {health?.showSecrets && (
        <Badge
          tone="error"
          testId="show-secrets-banner"
          title="The agent runs with --show-secrets: auth tokens and passwords are shown unmasked here and in exports"
        >
          SECRETS SHOWN
        </Badge>
      )}
      <span className="header-item" data-testid="agent-connection" data-state={connection}>
        <span className={`dot dot-${CONNECTION_TONE[connection]}`} /> agent {connection}
        {agentVersion && <span className="muted"> v{agentVersion}</span>}
      </span>
      {mismatch && (
        <Badge tone="error" testId="protocol-mismatch" title="Reload the page or upgrade the agent / web app">
          protocol mismatch: agent v{mismatch.agent}, web v{mismatch.web}
        </Badge>
      )}
      {health?.store?.stalled && (
        <Badge
          tone="error"
          testId="store-stalled"
          title="The capture store's writer has made no progress for a while (a hung or failing disk?). What is captured waits in the agent's memory; it takes no more from the broker meanwhile, so new events wait in its capture queue there. Check the agent's disk and log."
        >
          store stalled: {formatCount(health.store.unwritten)} unwritten ({formatBytes(health.store.unwrittenBytes)})
        </Badge>
      )}
      <StoreProblems store={health?.store} />
      {health?.store && <StoreWriteErrorBadge store={health.store} />}
      <span className="header-sources">
        {health?.sources.map((s) => {
          const st = describeSource(s);
          return (
            <span
              key={s.name}
              className="header-item source"
              data-testid="source-state"
              data-source={s.name}
              data-state={s.state}
              data-backlog={s.backlog ?? undefined}
              title={[s.url, ...(st.behind ? [st.behind] : []), ...s.warnings, ...s.blindSpots].join('\n')}
            >
              <span className={`dot dot-${st.tone}`} />
              <span className="source-name">{s.name}</span> <span className="muted">{s.mode}</span> {st.text}
              {st.hint && (
                <code className="hint" data-testid="source-hint">
                  {st.hint}
                </code>
              )}
            </span>
          );
        })}
      </span>
      <span className="header-counts">
        <Count label="captured" value={counts?.captured ?? 0} testId="count-captured" />
        <Count label="dropped" value={counts?.dropped ?? 0} testId="count-dropped" tone="error" />
        <Count label="evicted" value={counts?.evicted ?? 0} testId="count-evicted" tone="warn" />
        <Count label="sig failures" value={sigFailures} testId="count-signature-failures" tone="error" />
      </span>
    </header>
  );
}
