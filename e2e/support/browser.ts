/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), one fresh
 * profile per run so no state (storage, cache) leaks between runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The system Chromium (Debian package `chromium`). */
export const CHROMIUM_PATH = process.env['OSLOSCOPE_E2E_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Big enough for graph, stream and detail side by side (and for the README screenshot). */
export const VIEWPORT = { width: 1600, height: 1000 };

export interface E2eBrowser {
  context: BrowserContext;
  /** A new tab: a "fresh page" for URL-reproduction checks. */
  newPage(): Promise<Page>;
  /** Closes Chromium and removes the profile. */
  close(): Promise<void>;
}

/** Launches Chromium with a throwaway --user-data-dir (a persistent context is how playwright passes one). */
export async function launchBrowser(): Promise<E2eBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'osloscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
    // Default is 30 s; a journey step that takes longer is a failure worth seeing sooner.
    timeout: 60_000,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
