/**
 * Where the suite leaves its pictures: one per journey in test-output/e2e/ (gitignored, for
 * whoever looks at a run), and the README's main-view picture in docs/screenshots/ (committed).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '@osloscope/agent/test-support';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output/e2e');
export const README_SCREENSHOT = path.join(REPO_ROOT, 'docs/screenshots/main-view.png');

/** Saves the whole viewport as test-output/e2e/<name>.png; returns the path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Saves the README's picture of the main view (the caller shows real traffic first). */
export async function saveReadmeScreenshot(page: Page): Promise<string> {
  await mkdir(path.dirname(README_SCREENSHOT), { recursive: true });
  await page.screenshot({ path: README_SCREENSHOT });
  return README_SCREENSHOT;
}
