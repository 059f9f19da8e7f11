import { describe, expect, it } from 'vitest';
import { downtimeGap, downtimeReason, lostInDowntime, type DowntimeFacts } from './downtime-gap.js';

const STARTED = 1_700_000_000_000;
const facts = (over: Partial<DowntimeFacts> = {}): DowntimeFacts => ({
  source: '127.0.0.1/nova',
  vhost: 'nova',
  from: STARTED + 3_600_000,
  to: STARTED + 3_900_000,
  saved: { published: 10_500, brokerStartedAt: STARTED, lastId: 900, at: STARTED + 3_598_000 },
  current: { published: 18_600, brokerStartedAt: STARTED + 2000 },
  capturedAfterSaved: 100,
  ...over,
});

describe('messages lost while the agent was not running', () => {
  it('are what the broker counted since the last reading, less what was still captured after it', () => {
    expect(lostInDowntime(facts())).toEqual({ lost: 8000 });
  });

  it('are never fewer than none (the counter lags the traffic it counts)', () => {
    expect(lostInDowntime(facts({ capturedAfterSaved: 8200 }))).toEqual({ lost: 0 });
  });

  it('are not known when the broker restarted meanwhile (its counters start from zero)', () => {
    const lost = lostInDowntime(facts({ current: { published: 20_000, brokerStartedAt: STARTED + 3_700_000 } }));
    expect(lost).toEqual({ unknown: 'the broker restarted meanwhile and counts from zero again' });
  });

  it('are not known when the counter went back, or a broker start cannot be seen, or there was no reading', () => {
    expect(lostInDowntime(facts({ current: { published: 10, brokerStartedAt: STARTED } }))).toMatchObject({ unknown: expect.stringContaining('went back') });
    expect(lostInDowntime(facts({ current: { published: 18_600, brokerStartedAt: null } }))).toMatchObject({
      unknown: expect.stringContaining('"monitoring"'),
    });
    expect(lostInDowntime(facts({ saved: null }))).toMatchObject({ unknown: expect.stringContaining('had not read') });
    expect(lostInDowntime(facts({ current: { unknown: 'management API unreachable' } }))).toEqual({ unknown: 'management API unreachable' });
  });
});

describe('the downtime gap', () => {
  it('runs from when the agent was last alive to the restart and says how many messages it missed', () => {
    expect(downtimeGap(facts())).toEqual({
      source: '127.0.0.1/nova',
      from: STARTED + 3_600_000,
      to: STARTED + 3_900_000,
      reason: 'agent was not running (downtime): 8,000 messages published on vhost "nova" meanwhile were not captured',
      lost: 8000,
    });
  });

  it('says so in words when the count is not known, and carries lost: null', () => {
    const gap = downtimeGap(facts({ saved: null }));
    expect(gap.lost).toBeNull();
    expect(gap.reason).toBe(
      'agent was not running (downtime): messages published on vhost "nova" meanwhile were not captured; how many is not known: ' +
        "the agent had not read the broker's publish counter before it stopped",
    );
  });

  it('words one message and none', () => {
    expect(downtimeReason('/', { lost: 1 })).toBe('agent was not running (downtime): 1 message published on vhost "/" meanwhile was not captured');
    expect(downtimeReason('/', { lost: 0 })).toBe('agent was not running (downtime): no messages were published on vhost "/" meanwhile');
  });
});
