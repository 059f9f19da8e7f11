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

const IDLE_STORE: StoreHealth = { writer: 'thread', stalled: false, unwritten: 0, unwrittenBytes: 0, damage: [], readOnly: null, writeError: null };

function health(store: StoreHealth, sources: SourceHealth[] = [], showSecrets = false): HealthReport {
  return {
    status: store.stalled || store.writeError ? 'degraded' : 'ok',
    version: '0.0.0',
    demo: false,
    replayEnabled: false,
    readOnly: false,
    showSecrets,
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

  it('shows an unmistakable banner while secrets are shown unmasked (--show-secrets), and none otherwise', () => {
    const store: StoreHealth = { writer: 'thread', stalled: false, unwritten: 0, unwrittenBytes: 0, damage: [], readOnly: null, writeError: null };
    render(<Header />);
    act(() => agentStore.setState({ connection: 'connected', health: health(store) }));
    expect(screen.queryByTestId('show-secrets-banner')).toBeNull();
    act(() => agentStore.setState({ health: health(store, [], true) }));
    const banner = screen.getByTestId('show-secrets-banner');
    expect(banner.textContent).toBe('SECRETS SHOWN');
    expect(banner.getAttribute('title')).toMatch(/--show-secrets: auth tokens and passwords are shown unmasked/);
  });

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

  it('says in words when the capture is read-only, naming the path and why, and not otherwise', () => {
    render(<Header />);
    act(() => agentStore.setState({ connection: 'connected', health: health(IDLE_STORE) }));
    expect(screen.queryByTestId('store-read-only')).toBeNull();
    act(() => agentStore.setState({ health: health({ ...IDLE_STORE, readOnly: 'read-only capture: /srv/capture is not writable (read-only file system)' }) }));
    expect(screen.getByTestId('store-read-only').textContent).toBe('read-only capture: /srv/capture is not writable (read-only file system)');
    expect(screen.getByTestId('store-read-only').getAttribute('title')).toMatch(/nothing is captured/);
  });

  it('says in words what is damaged in the capture, each file in the title, and not for an intact one', () => {
    render(<Header />);
    act(() => agentStore.setState({ connection: 'connected', health: health(IDLE_STORE) }));
    expect(screen.queryByTestId('store-damage')).toBeNull();
    const truncated = {
      problem: "raw/00000003.seg is truncated (1,024 of 4,096 bytes left): 13 records' raw events are missing",
      records: 13,
      path: '/d/raw/00000003.seg',
    };
    act(() => agentStore.setState({ health: health({ ...IDLE_STORE, damage: [truncated] }) }));
    expect(screen.getByTestId('store-damage').textContent).toBe(`capture damaged: ${truncated.problem}`);
    const missing = { problem: "raw/00000004.seg is missing: 5 records' raw events are lost", records: 5, path: '/d/raw/00000004.seg' };
    act(() => agentStore.setState({ health: health({ ...IDLE_STORE, damage: [truncated, missing] }) }));
    const badge = screen.getByTestId('store-damage');
    expect(badge.textContent).toBe("capture damaged: 2 files, 18 messages' raw events missing");
    expect(badge.getAttribute('title')).toContain(`${missing.problem} (/d/raw/00000004.seg)`);
    expect(badge.getAttribute('title')).toContain(`${truncated.problem} (/d/raw/00000003.seg)`);
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
