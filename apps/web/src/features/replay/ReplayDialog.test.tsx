// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnvelopeDetail, HealthReport, ReplayPreview } from '@osloscope/shared';
import { makeRecord } from '../../test/make-record';
import { agentStore, initialAgentState } from '../../stores/agent-store';
import { ReplayDialog } from './ReplayDialog';

function detail(id: number, over: Partial<EnvelopeDetail> = {}): EnvelopeDetail {
  return {
    ...makeRecord(id, { args: { value: 'x' }, context: { request_id: 'req-1' } }),
    rawBase64: '',
    maskedFields: [],
    properties: {},
    broker: null,
    ...over,
  };
}

function health(replayEnabled: boolean): HealthReport {
  return { replayEnabled, demo: false, sources: [{ name: 'default', mode: 'firehose' }] } as unknown as HealthReport;
}

const preview: ReplayPreview = {
  previewId: 'p1',
  originalId: 5,
  source: 'default',
  kind: 'call',
  exchange: 'openstack',
  routingKey: 'demo',
  properties: { expiration: '60000' },
  body: '{"oslo.version": "2.0"}',
  innerMessage: '{"method": "echo", "args": {"value": "y"}}',
  method: 'echo',
  args: { value: 'y' },
  context: {},
  version: '1.2',
  namespace: null,
  uniqueId: 'p1',
  msgId: 'm1',
  replyQueue: 'reply_osloscope_1',
  timeoutMs: 60000,
  signed: false,
  signingNote: 'unsigned: no signing keys configured',
  warnings: [],
  retarget: null,
  maskedFields: [],
};

type Call = { url: string; body: unknown };
let calls: Call[];

function mockAgent(routes: Record<string, (body: unknown) => { status: number; json: unknown }>) {
  calls = [];
  vi.stubGlobal('fetch', async (url: string, init?: { body?: string }) => {
    const body = init?.body ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ url, body });
    const path = url.split('?')[0]!;
    const handler = routes[path];
    const { status, json } = handler ? handler(body) : { status: 404, json: { error: 'nope' } };
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
  });
}

describe('ReplayDialog', () => {
  beforeEach(() => agentStore.setState(initialAgentState(), true));
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('explains how to enable replay when the agent runs without --allow-replay', () => {
    mockAgent({});
    agentStore.setState({ health: health(false) });
    render(<ReplayDialog original={detail(5)} onClose={() => undefined} />);
    expect(screen.getByTestId('replay-disabled').textContent).toContain('--allow-replay');
    expect(screen.queryByTestId('replay-preview-btn')).toBeNull();
  });

  it('previews the edited message, publishes only after confirmation, then shows the outcome', async () => {
    agentStore.setState({ health: health(true) });
    mockAgent({
      '/api/envelopes': () => ({ status: 200, json: { items: [], total: 0 } }),
      '/api/replay/preview': () => ({ status: 200, json: preview }),
      '/api/replay': () => ({ status: 200, json: { id: 9, replayId: 'p1', msgId: 'm1', routed: true } }),
      '/api/envelopes/9': () => ({
        status: 200,
        json: detail(9, { replayOf: 5, server: 'node-a', outcome: { status: 'ok', latencyMs: 4, replyId: 10, failure: null, heartbeats: 0 } }),
      }),
      '/api/envelopes/5': () => ({ status: 200, json: detail(5, { outcome: { status: 'ok', latencyMs: 3, replyId: 6, failure: null, heartbeats: 0 } }) }),
    });
    render(<ReplayDialog original={detail(5)} onClose={() => undefined} />);
    fireEvent.change(screen.getByTestId('replay-args'), { target: { value: '{"value": "y"}' } });
    fireEvent.click(screen.getByTestId('replay-preview-btn'));
    await screen.findByTestId('replay-preview');
    expect(calls.find((c) => c.url === '/api/replay/preview')?.body).toEqual({ id: 5, edits: { args: { value: 'y' } } });
    expect(screen.getByTestId('replay-signing-note').textContent).toMatch(/unsigned/);
    expect(calls.some((c) => c.url === '/api/replay')).toBe(false);

    fireEvent.click(screen.getByTestId('replay-confirm'));
    await screen.findByTestId('replay-sent');
    expect(calls.find((c) => c.url === '/api/replay')?.body).toEqual({ id: 5, previewId: 'p1', confirm: true });
    await waitFor(() => expect(screen.getByTestId('replay-result').dataset['status']).toBe('ok'));
    expect(screen.getByTestId('replay-result-words').textContent).toBe('Answered by node-a in 4 ms.');
    expect(screen.getByTestId('replay-result-reply').textContent).toContain('#10');
    expect(screen.getByTestId('replay-original').dataset['status']).toBe('ok');
  });

  it('shows the agent refusal and never previews invalid JSON', async () => {
    agentStore.setState({ health: health(true) });
    mockAgent({
      '/api/envelopes': () => ({ status: 200, json: { items: [], total: 0 } }),
      '/api/replay/preview': () => ({ status: 400, json: { error: 'context.auth_token: holds the redacted mask' } }),
    });
    render(<ReplayDialog original={detail(5)} onClose={() => undefined} />);
    fireEvent.change(screen.getByTestId('replay-args'), { target: { value: '{oops' } });
    fireEvent.click(screen.getByTestId('replay-preview-btn'));
    expect((await screen.findByTestId('replay-error')).textContent).toMatch(/^args: not valid JSON/);
    expect(calls.some((c) => c.url === '/api/replay/preview')).toBe(false);

    fireEvent.change(screen.getByTestId('replay-args'), { target: { value: '{"value": "x"}' } });
    fireEvent.change(screen.getByTestId('replay-context'), { target: { value: '{"auth_token": "***redacted***"}' } });
    fireEvent.click(screen.getByTestId('replay-preview-btn'));
    await waitFor(() => expect(screen.getByTestId('replay-error').textContent).toContain('context.auth_token'));
  });

  async function sendAndSettle(replayed: EnvelopeDetail, routed = true) {
    agentStore.setState({ health: health(true) });
    mockAgent({
      '/api/envelopes': () => ({ status: 200, json: { items: [], total: 0 } }),
      '/api/replay/preview': () => ({ status: 200, json: preview }),
      '/api/replay': () => ({ status: 200, json: { id: 9, replayId: 'p1', msgId: 'm1', routed } }),
      '/api/envelopes/9': () => ({ status: 200, json: replayed }),
      '/api/envelopes/5': () => ({ status: 200, json: detail(5, { outcome: { status: 'ok', latencyMs: 3, replyId: 6, failure: null, heartbeats: 0 } }) }),
    });
    render(<ReplayDialog original={detail(5)} onClose={() => undefined} />);
    fireEvent.click(screen.getByTestId('replay-preview-btn'));
    fireEvent.click(await screen.findByTestId('replay-confirm'));
    await screen.findByTestId('replay-sent');
    await waitFor(() => expect(screen.getByTestId('replay-result').dataset['status']).not.toBe(''));
  }

  it('says a timed-out replay was delivered and redelivered, as the broker saw it', async () => {
    const delivery = (redelivered: boolean) => ({ queue: 'demo.node-a', connection: 'c1', server: 'node-a', redelivered, at: 1 });
    await sendAndSettle(
      detail(9, {
        replayOf: 5,
        expirationMs: 5000,
        deliveries: [delivery(false), delivery(true), delivery(true)],
        outcome: { status: 'timeout', latencyMs: null, replyId: null, failure: null, heartbeats: 0 },
      }),
    );
    expect(screen.getByTestId('replay-result-words').textContent).toBe('Timed out: no reply within 5 s.');
    expect(screen.getByTestId('replay-result-broker').textContent).toMatch(/^The broker delivered it to node-a 3 times, redelivered twice/);
  });

  it('says an unroutable replay reached nothing', async () => {
    await sendAndSettle(detail(9, { replayOf: 5, outcome: { status: 'timeout', latencyMs: null, replyId: null, failure: null, heartbeats: 0 } }), false);
    expect(screen.getByTestId('replay-result').dataset['verdict']).toBe('unroutable');
    expect(screen.getByTestId('replay-result-words').textContent).toMatch(/^Unroutable: no queue is bound/);
  });

  it('publishes to another target than the original only once the user ticks it, and says so', async () => {
    agentStore.setState({ health: health(true) });
    mockAgent({
      '/api/envelopes': () => ({ status: 200, json: { items: [], total: 0 } }),
      '/api/replay/preview': () => ({
        status: 200,
        json: { ...preview, routingKey: 'demo.node-b', retarget: { from: 'openstack / demo.node-a', to: 'openstack / demo.node-b' } },
      }),
      '/api/replay': () => ({ status: 200, json: { id: 9, replayId: 'p1', msgId: 'm1', routed: true } }),
      '/api/envelopes/9': () => ({ status: 200, json: detail(9) }),
      '/api/envelopes/5': () => ({ status: 200, json: detail(5) }),
    });
    render(<ReplayDialog original={detail(5)} onClose={() => undefined} />);
    fireEvent.click(screen.getByTestId('replay-preview-btn'));
    expect((await screen.findByTestId('replay-retarget')).textContent).toMatch(
      /Publish to openstack \/ demo\.node-b, not where the original went \(openstack \/ demo\.node-a\)/,
    );
    const publish = screen.getByTestId('replay-confirm') as HTMLButtonElement;
    expect(publish.disabled).toBe(true);
    fireEvent.click(screen.getByTestId('replay-confirm-target'));
    expect(publish.disabled).toBe(false);
    fireEvent.click(publish);
    await screen.findByTestId('replay-sent');
    expect(calls.find((c) => c.url === '/api/replay')?.body).toEqual({ id: 5, previewId: 'p1', confirm: true, confirmTarget: true });
  });
});
