// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthReport, StoreHealth } from '@osloscope/shared';
import { agentStore, initialAgentState } from '../../stores/agent-store';
import { Header } from './Header';

function health(store: StoreHealth): HealthReport {
  return {
    status: store.stalled ? 'degraded' : 'ok',
    version: '0.0.0',
    demo: false,
    replayEnabled: false,
    showSecrets: false,
    sources: [],
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
    act(() => agentStore.setState({ connection: 'connected', health: health({ writer: 'thread', stalled: false, unwritten: 40, unwrittenBytes: 80_000 }) }));
    expect(screen.queryByTestId('store-stalled')).toBeNull();

    act(() => agentStore.setState({ health: health({ writer: 'thread', stalled: true, unwritten: 2_500, unwrittenBytes: 37_000_000 }) }));
    const badge = screen.getByTestId('store-stalled');
    expect(badge.textContent).toMatch(/store stalled: 2[,.\s]?500 unwritten \(3\d(\.\d)? MB\)/);
    expect(badge.getAttribute('title')).toMatch(/disk/);

    act(() => agentStore.setState({ health: health({ writer: 'thread', stalled: false, unwritten: 0, unwrittenBytes: 0 }) }));
    expect(screen.queryByTestId('store-stalled')).toBeNull();
  });
});
