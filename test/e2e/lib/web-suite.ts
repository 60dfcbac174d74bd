// The fixture every web UI suite shares (as test/helpers/suite.ts is for the kernel suites): a daemon
// serving the web UI on a fresh base, a busybox root, a client on the daemon's socket, and headless
// Chromium with the app loaded; afterwards the containers go, then the browser, the daemon and the
// root, and the leak check runs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EngineClient } from '../../../cli/engine-client.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../../helpers/leaks.js';
import { busyboxRoot } from '../../helpers/rootfs.js';
import { launchChromium } from './chromium.js';
import { startWebDaemon, type WebDaemon } from './web-daemon.js';

/** Screenshots land here (looked at by a person, not compared). */
export const SHOTS = join(process.cwd(), 'test-output', 'e2e');

export interface WebSuite {
  readonly daemon: WebDaemon;
  readonly client: EngineClient;
  readonly fs: Awaited<ReturnType<typeof busyboxRoot>>;
  readonly page: Page;
  /** Run a minimega command line through the daemon; its output, or an Error naming the line and its errors. */
  ok(line: string): Promise<string>;
  /** A screenshot of the page (or of `p`, a popup) as SHOTS/NAME.png. */
  shot(name: string, p?: Page): Promise<Buffer>;
  /** Switch to a theme by the header button (the first page load follows prefers-color-scheme). */
  setTheme(t: 'light' | 'dark'): Promise<void>;
}

export interface WebSuiteOptions {
  /** Runs once the daemon and the client are up, before the page loads: what the page should find there. */
  setup?: (s: WebSuite) => Promise<void>;
  /** The page's options; the viewport defaults to 1400×900. */
  page?: Parameters<Browser['newPage']>[0];
  /** Wait in the hook until the page shows the engine connected (default); false leaves that to a test. */
  connected?: boolean;
  /** How the suite's containers go afterwards (failures ignored); by default `vm kill all` then `vm flush all`. */
  clear?: (client: EngineClient) => Promise<unknown>;
}

async function killAndFlush(client: EngineClient): Promise<void> {
  await client.call('vm.kill', 'all').catch(() => undefined);
  await client.call('vm.flush', 'all').catch(() => undefined);
}

/** Registers the describe's before/after hooks; the returned fields are valid inside tests. */
export function useWebSuite(opts: WebSuiteOptions = {}): WebSuite {
  const s: { daemon?: WebDaemon; client?: EngineClient; fs?: WebSuite['fs']; page?: Page; pre?: HostSnapshot } = {};
  let closeBrowser: (() => Promise<void>) | undefined;
  const suite: WebSuite = {
    get daemon() {
      return s.daemon!;
    },
    get client() {
      return s.client!;
    },
    get fs() {
      return s.fs!;
    },
    get page() {
      return s.page!;
    },
    async ok(line) {
      const r = await s.client!.call('cli.exec', line);
      if (r.errors.length) throw new Error(`${line}: ${r.errors.join('; ')}`);
      return r.output;
    },
    shot: (name, p = s.page!) => p.screenshot({ path: join(SHOTS, `${name}.png`) }),
    async setTheme(t) {
      const page = s.page!;
      if ((await page.locator('html').getAttribute('data-theme')) !== t) await page.getByTestId('theme').click();
      await page.locator(`html[data-theme="${t}"]`).waitFor();
    },
  };

  before(async () => {
    s.pre = snapshot();
    mkdirSync(SHOTS, { recursive: true });
    s.fs = await busyboxRoot();
    s.daemon = await startWebDaemon();
    s.client = await EngineClient.connect(s.daemon.base);
    await opts.setup?.(suite);
    let browser: Browser;
    ({ browser, close: closeBrowser } = await launchChromium());
    s.page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...opts.page });
    s.page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await s.page.goto(s.daemon.url);
    if (opts.connected !== false) await s.page.locator('.conn.up').waitFor();
  });

  after(async () => {
    await closeBrowser?.();
    if (s.client) {
      await (opts.clear ?? killAndFlush)(s.client).catch(() => undefined);
      s.client.close();
    }
    await s.daemon?.stop();
    await s.fs?.remove();
    if (s.pre) await assertNoLeaks(s.pre);
  });

  return suite;
}
