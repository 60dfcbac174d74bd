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

const CLOSE_TIMEOUT_MS = 15_000;

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
    // Never throws nor hangs: a suite's after() goes on to kill its containers and stop its daemons
    // even when a test left the browser crashed or stuck (the leak check then reports the rest).
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<void>((r) => (timer = setTimeout(r, CLOSE_TIMEOUT_MS)));
      await Promise.race([browser.close().catch((e: unknown) => console.log(`# closing chromium: ${String(e)}`)), stuck]);
      clearTimeout(timer);
    },
  };
}
