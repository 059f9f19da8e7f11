/**
 * Signature journey in Debian's Chromium: the real agent runs with `--keys`; beside real
 * oslo.messaging traffic (scenario.py, S01 and S03), casts signed with the agent's signer are
 * published to the real RabbitMQ — one correctly signed, one altered after signing, one
 * unsigned to a destination that requires signatures. The user must see the two bad ones
 * flagged, with the reason in words.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SIGNATURE_REASON_TEXT, type EnvelopeRecord } from '@osloscope/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/agent-http.js';
import { launchBrowser, type E2eBrowser } from '../support/browser.js';
import { StreamPage } from '../support/pages/StreamPage.js';
import { SCENARIO_NAMES, startScenarioEnv, type ScenarioEnv } from '../support/scenario-env.js';
import { saveScreenshot } from '../support/screenshots.js';
import { publishSignatureCases, writeKeyFile, type SignedCase, type SigningSetup } from '../support/signed-publish.js';

const UI_TIMEOUT = { timeout: 20_000, interval: 250 };
const DESTINATION = 'ledger';

let keyDir: string;
let signing: SigningSetup;
let env: ScenarioEnv;
let browser: E2eBrowser;
let cases: SignedCase[];
/** The captured record of each case. */
const recordOf = new Map<SignedCase['name'], EnvelopeRecord>();

beforeAll(async () => {
  keyDir = await mkdtemp(path.join(tmpdir(), 'osloscope-e2e-keys-'));
  signing = await writeKeyFile(path.join(keyDir, 'keys.json'), DESTINATION);
  env = await startScenarioEnv({
    prefix: 'e2e-signatures',
    agentArgs: ['--keys', signing.keyFile],
    scenarioArgs: { steps: 'S01,S03' },
  });
  cases = await publishSignatureCases(env.vhost.amqpUrl, SCENARIO_NAMES.exchange, signing);
  const captured = await waitUntil('the agent to store the three signed-case casts', async () => {
    const all = await env.api.envelopes(`topic=${DESTINATION}`);
    return all.length === cases.length ? all : null;
  });
  for (const c of cases) {
    const rec = captured.find((r) => (r.args as { ref?: string } | null)?.ref === c.ref);
    if (!rec) throw new Error(`no captured record for the ${c.name} case`);
    recordOf.set(c.name, rec);
  }
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

const idOf = (name: SignedCase['name']): number => {
  const rec = recordOf.get(name);
  if (!rec) throw new Error(`no record for ${name}`);
  return rec.id;
};

describe('signature verdicts in the browser', () => {
  it('flags the altered and the unsigned message, and only those', async () => {
    const stream = await StreamPage.open(await browser.newPage(), env.agent.baseUrl);
    await expect.poll(() => stream.headerCount('signature-failures'), UI_TIMEOUT).toBe(2);

    await stream.selectFilter('signature', 'failed');
    expect(stream.query()).toBe('?signature=failed');
    await expect.poll(() => stream.rowIds(), UI_TIMEOUT).toEqual([idOf('unsigned'), idOf('tampered')]);
    const rows = await stream.rowViews();
    expect(rows.map((r) => [r.signature, r.sigBadge, r.method, r.topic])).toEqual([
      ['failed', '✗ MissingSignature', 'record_payment', DESTINATION],
      ['failed', '✗ InvalidSignature', 'record_payment', DESTINATION],
    ]);
    expect(rows[0]?.sigTitle).toContain(SIGNATURE_REASON_TEXT.MissingSignature);
    expect(rows[1]?.sigTitle).toContain(SIGNATURE_REASON_TEXT.InvalidSignature);
    await saveScreenshot(stream.page, 'signature-failed-stream');

    // The altered message's detail says why, in words.
    await stream.pause();
    const detail = await stream.openRow(idOf('tampered'));
    expect(await detail.signatureText()).toMatch(/failed\s*InvalidSignature/);
    expect(await detail.signatureReason()).toContain(SIGNATURE_REASON_TEXT.InvalidSignature);
    await saveScreenshot(stream.page, 'signature-failed-detail');
  });

  it('shows the correctly signed message as valid and the oslo traffic as unsigned', async () => {
    const stream = await StreamPage.open(await browser.newPage(), env.agent.baseUrl, `?signature=valid`);
    await expect.poll(() => stream.rowIds(), UI_TIMEOUT).toEqual([idOf('valid')]);
    expect((await stream.rowViews()).map((r) => [r.sigBadge, r.method])).toEqual([['valid', 'record_payment']]);

    await stream.selectFilter('signature', 'unsigned');
    const unsigned = await env.api.envelopes('signature=unsigned');
    // Every message the oslo scenario sent (none signed) is there, with no signature badge.
    expect(unsigned.length).toBe(env.records.length);
    await expect.poll(() => stream.rowIds(), UI_TIMEOUT).toEqual(unsigned.map((r) => r.id).sort((a, b) => b - a));
    expect((await stream.rowViews()).every((r) => r.sigBadge === '')).toBe(true);
  });
});
