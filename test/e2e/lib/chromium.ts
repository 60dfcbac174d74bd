import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); Playwright's own browser download is not used. */
export const CHROMIUM = process.env.NANOMEGA_CHROMIUM ?? '/usr/bin/chromium';

/** false, or why the browser tests skip (in CI a missing browser is a failure). */
export function requiresChromium(): false | string {
  if (existsSync(CHROMIUM)) return false;
  const why = `no ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`CI is missing a test requirement: ${why}`);
  console.log(`# skip: ${why}`);
  return why;
}

/**
 * Headless Chromium; chromium as root needs --no-sandbox. Playwright's launch() always gives it a fresh
 * temporary --user-data-dir (it refuses one in args), removed when the browser closes.
 */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
