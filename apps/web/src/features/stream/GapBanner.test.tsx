// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveStore } from '../../stores/live-store';
import { GapBanner, lostText } from './GapBanner';

describe('GapBanner', () => {
  beforeEach(() => liveStore.setState({ gaps: [] }));
  afterEach(cleanup);

  it('shows how many messages a gap lost when the agent could count them', () => {
    const reason = 'agent was not running (downtime): 8,000 messages published on vhost "nova" meanwhile were not captured';
    liveStore.setState({ gaps: [{ source: 'rabbit/nova', from: 1000, to: 61_000, reason, lost: 8000 }] });
    render(<GapBanner />);
    expect(screen.getByTestId('gap-lost').textContent).toBe('8,000 messages not captured');
    expect(screen.getByTestId('stream-gap').textContent).toContain(reason);
  });

  it('says nothing about a count it does not know', () => {
    liveStore.setState({ gaps: [{ source: 'rabbit', from: 1000, to: 2000, reason: 'broker connection lost' }] });
    render(<GapBanner />);
    expect(screen.queryByTestId('gap-lost')).toBeNull();
    expect(lostText({ lost: null })).toBeNull();
    expect(lostText({ lost: 1 })).toBe('1 message not captured');
    expect(lostText({ lost: 0 })).toBe('0 messages not captured');
  });
});
