// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPTURE_BACKLOG_WARN, type HealthReport, type SourceHealth, type StoreHealth } from '@osloscope/shared';
import { agentStore, initialAgentState } from '../../stores/agent-store';
import { Header } from './Header';

function firehose(backlog: number | null): SourceHealth {
  return {
    name: 'nova',
    url: 'rabbit://guest:***@10.0.0.5:5672/nova',
    mode: 'firehose',
    state: 'connected',
    vhost: 'nova',
    host: '10.0.0.5:5672',
    tracing: [{ node: 'rabbit@ctl1', tracing: true }],
    tracingEnabledByAgent: true,
    warnings: [],
    blindSpots: [],
    lastError: null,
    connectedSince: 1,
    reconnects: 0,
    backlog,
  };
}

const IDLE_STORE: StoreHealth = { writer: 'thread', stalled: false, unwritten: 0, unwrittenBytes: 0, writeError: null };

function health(store: StoreHealth, sources: SourceHealth[] = []): HealthReport {
  return {
    status: store.stalled || store.writeError ? 'degraded' : 'ok',
    version: '0.0.0',
    demo: false,
    replayEnabled: false,
    showSecrets: false,
    sources,
    counts: { captured: 12_000, dropped: 0, evicted: 0, stored: 9_500, storedBytes: 1, decodeErrors: 0, signatureFailures: 0 },
    store,
    signing: { keysLoaded: false, destinations: 0, requireSigned: 0 },
    startedAt: 0,
  };
}

describe('the header', () => {
  beforeEach(() => agentStore.setState(initialAgentState(), true));
  afterEach(cleanup);

  it('says when the capture store is stalled, with how many messages wait unwritten, and not otherwise', () => {
    render(<Header />);
    act(() => agentStore.setState({ connection: 'connected', health: health({ ...IDLE_STORE, unwritten: 40, unwrittenBytes: 80_000 }) }));
    expect(screen.queryByTestId('store-stalled')).toBeNull();

    act(() => agentStore.setState({ health: health({ ...IDLE_STORE, stalled: true, unwritten: 2_500, unwrittenBytes: 37_000_000 }) }));
    const badge = screen.getByTestId('store-stalled');
    expect(badge.textContent).toMatch(/store stalled: 2[,.\s]?500 unwritten \(3\d(\.\d)? MB\)/);
    expect(badge.getAttribute('title')).toMatch(/disk/);

    act(() => agentStore.setState({ health: health(IDLE_STORE) }));
    expect(screen.queryByTestId('store-stalled')).toBeNull();
  });

  it('says when the capture store cannot write, why, and what happens meanwhile, and not once it writes again', () => {
    render(<Header />);
    act(() => agentStore.setState({ connection: 'connected', health: health(IDLE_STORE) }));
    expect(screen.queryByTestId('store-write-error')).toBeNull();

    const writeError = { message: 'no space left on device', path: '/var/lib/osloscope/capture.sqlite', since: 1_795_973_550_000 };
    act(() => agentStore.setState({ health: health({ ...IDLE_STORE, unwritten: 3_579, unwrittenBytes: 8_000_000, writeError }) }));
    const badge = screen.getByTestId('store-write-error');
    expect(badge.textContent).toBe('store cannot write: no space left on device');
    const title = badge.getAttribute('title') ?? '';
    expect(title).toContain('/var/lib/osloscope/capture.sqlite');
    expect(title).toMatch(/3[,.\s]?579 captured messages wait in the agent's memory/);
    expect(title).toMatch(/new events wait in its capture queue/);
    expect(title).toMatch(/resumes by itself/);

    act(() => agentStore.setState({ health: health(IDLE_STORE) }));
    expect(screen.queryByTestId('store-write-error')).toBeNull();
  });

  it('says when capture is behind the traffic, with how many events wait in its queue, and not while it keeps up', () => {
    render(<Header />);
    act(() => agentStore.setState({ connection: 'connected', health: health(IDLE_STORE, [firehose(CAPTURE_BACKLOG_WARN - 1)]) }));
    const source = screen.getByTestId('source-state');
    expect(source.textContent).toMatch(/nova\s*firehose\s*connected$/);
    expect(source.querySelector('.dot-ok')).not.toBeNull();

    act(() => agentStore.setState({ health: health(IDLE_STORE, [firehose(48_210)]) }));
    expect(source.textContent).toMatch(/behind: 48[,.\s]?210 events queued/);
    expect(source.querySelector('.dot-warn')).not.toBeNull();
    expect(source.getAttribute('title')).toMatch(/not keeping up with the traffic/);

    // Unknown (a check failed, or not made yet) is not "behind".
    act(() => agentStore.setState({ health: health(IDLE_STORE, [firehose(null)]) }));
    expect(source.textContent).toMatch(/connected$/);
    expect(source.getAttribute('title')).not.toMatch(/keeping up/);
  });
});
