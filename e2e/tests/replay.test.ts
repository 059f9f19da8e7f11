/**
 * Replay journey in real Chromium against a real agent (--allow-replay), real RabbitMQ and
 * a real oslo.messaging RPC server: open a captured call, replay it through the dialog
 * (preview, then confirm), and see the replay's reply linked to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { EnvelopeDetail, EnvelopeRecord } from '@osloscope/shared';
import {
  createTestVhost,
  runOsloClient,
  startAgent,
  startOsloServers,
  type OsloServers,
  type RunningAgent,
  type TestVhost,
} from '@osloscope/agent/test-support';
import { launchBrowser, type E2eBrowser } from '../support/browser.js';

let vhost: TestVhost;
let agent: RunningAgent;
let servers: OsloServers;
let browser: E2eBrowser;
let page: Page;
let original: EnvelopeRecord;

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${agent.baseUrl}${path}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  vhost = await createTestVhost('e2e-replay');
  agent = await startAgent({ args: ['--transport-url', vhost.url, '--allow-replay', '--no-demo-fallback'] });
  servers = await startOsloServers({ transportUrl: vhost.url, servers: ['node-a'] });
  await runOsloClient({ transportUrl: vhost.url, method: 'echo', args: { value: 'e2e-replay' } });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { items } = await getJson<{ items: EnvelopeRecord[] }>('/api/envelopes?method=echo&kind=call');
    const found = items.find((r) => r.args?.['value'] === 'e2e-replay' && r.outcome?.status === 'ok');
    if (found) {
      original = found;
      break;
    }
    if (Date.now() > deadline) throw new Error('the original call was not captured');
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await servers?.stop();
  await agent?.stop();
  await vhost?.cleanup();
});

describe('replay in the browser', () => {
  it('replays a captured call and shows the new reply linked to it', async () => {
    await page.goto(`${agent.baseUrl}/?method=echo`);
    await page.locator(`[data-testid="stream-row"][data-id="${original.id}"]`).click();
    await page.locator(`[data-testid="detail-panel"][data-id="${original.id}"]`).waitFor();

    await page.getByTestId('replay-open').click();
    const dialog = page.getByTestId('replay-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('replay-method').inputValue()).toBe('echo');
    await page.getByTestId('replay-preview-btn').click();
    await page.getByTestId('replay-preview').waitFor();
    // Exactly what will be published, before anything is sent.
    expect(await page.getByTestId('replay-preview-routing-key').textContent()).toBe('demo');
    expect(await page.getByTestId('replay-preview-body').textContent()).toContain('"e2e-replay"');
    expect(await page.getByTestId('replay-signing-note').textContent()).toMatch(/unsigned/);
    expect((await servers.readExecuted()).filter((c) => c.args['value'] === 'e2e-replay')).toHaveLength(1);

    await page.getByTestId('replay-confirm').click();
    await page.locator('[data-testid="replay-result"][data-status="ok"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="replay-original"][data-status="ok"]').waitFor();
    // The outcome in words, as the user reads it.
    // Who answered is named once the agent's directory knows node-a's connection (management API, refreshed every 5 s).
    await page
      .getByTestId('replay-result-words')
      .filter({ hasText: /^Answered by node-a in \d+ ms\.$/ })
      .waitFor({ timeout: 40_000 });
    expect(servers.consumeErrors()).toEqual([]);
    await servers.waitForExecuted((c) => c.args['value'] === 'e2e-replay', { count: 2 });

    // The replay's reply, opened from the dialog, links back to the replayed call, which links to the original.
    const replyText = (await page.getByTestId('replay-result-reply').textContent()) ?? '';
    const replyId = Number(/#(\d+)/.exec(replyText)?.[1]);
    await page.getByTestId('replay-result-reply').click();
    await page.locator(`[data-testid="detail-panel"][data-id="${replyId}"]`).waitFor();
    const reply = await getJson<EnvelopeDetail>(`/api/envelopes/${replyId}`);
    const replayed = await getJson<EnvelopeDetail>(`/api/envelopes/${reply.requestId}`);
    expect(replayed.replayOf).toBe(original.id);
    expect(reply.reply?.result).toEqual({ echo: 'e2e-replay', served_by: 'node-a' });
    expect(await page.getByTestId('detail-link-open').textContent()).toContain(`#${replayed.id}`);

    await page.getByTestId('detail-link-open').click();
    await page.locator(`[data-testid="detail-panel"][data-id="${replayed.id}"]`).waitFor();
    expect(await page.getByTestId('detail-ids').textContent()).toContain(`replay of#${original.id}`);
  });
});
