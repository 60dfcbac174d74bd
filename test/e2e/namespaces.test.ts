// The namespace selector in headless Chromium against a real daemon with real containers: the table
// filtered by namespace, every namespace with a badge per row, bulk actions by id across namespaces that
// reuse a name, and the launch dialog launching into the selected namespace (or a new one).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EngineClient } from '../../cli/engine-client.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { requires } from '../helpers/requires.js';
import { launchChromium, requiresChromium } from './lib/chromium.js';
import { startWebDaemon, type WebDaemon } from './lib/web-daemon.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e');
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();

describe('namespaces in the web UI', { skip, timeout: 180_000 }, () => {
  let daemon: WebDaemon;
  let fs: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let client: EngineClient;
  let pre: HostSnapshot | undefined;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const names = async () =>
    (await page.locator('.viewport .row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-namespace')}/${r.getAttribute('data-name')}`))).sort();
  async function ok(line: string): Promise<string> {
    const r = await client.call('cli.exec', line);
    if (r.errors.length) throw new Error(`${line}: ${r.errors.join('; ')}`);
    return r.output;
  }
  async function rowsAre(want: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let got: string[] = [];
    while (JSON.stringify((got = await names())) !== JSON.stringify(want)) {
      if (Date.now() > deadline) throw new Error(`rows: wanted ${JSON.stringify(want)}, have ${JSON.stringify(got)}`);
      await page.waitForTimeout(100);
    }
  }

  before(async () => {
    pre = snapshot();
    mkdirSync(SHOTS, { recursive: true });
    fs = await busyboxRoot();
    daemon = await startWebDaemon();
    client = await EngineClient.connect(daemon.base);
    await ok(`vm config filesystem ${fs.dir}`);
    await ok('vm launch container web,db');
    await ok(`namespace lab vm config filesystem ${fs.dir}`);
    await ok('namespace lab vm launch container web,probe');
    ({ browser, close: closeBrowser } = await launchChromium());
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(daemon.url);
    await page.locator('.conn.up').waitFor();
  });

  after(async () => {
    await closeBrowser?.();
    if (client) {
      await client.call('cli.exec', 'clear namespace all').catch(() => undefined);
      client.close();
    }
    await daemon?.stop();
    await fs?.remove();
    if (pre) await assertNoLeaks(pre);
  });

  test('with several namespaces the window starts on all of them, each row saying which', async () => {
    const select = page.getByTestId('namespace');
    assert.equal(await select.inputValue(), '');
    assert.deepEqual(await select.locator('option').allInnerTexts(), ['all namespaces', 'lab (2)', 'minimega (2)']);
    await rowsAre(['lab/probe', 'lab/web', 'minimega/db', 'minimega/web']);
    assert.equal(await page.getByTestId('ns-badge').count(), 4);
    await shot('ns-01-all-namespaces');
  });

  test('choosing a namespace filters the table and the counts', async () => {
    await page.getByTestId('namespace').selectOption('lab');
    await rowsAre(['lab/probe', 'lab/web']);
    assert.equal(await page.getByTestId('ns-badge').count(), 0, 'one namespace: no badges');
    assert.match(await page.getByTestId('nav-containers').innerText(), /Containers\s+2/);
    await shot('ns-02-lab');
  });

  test('bulk start works by id: the two `web`s are different containers', async () => {
    await page.getByTestId('namespace').selectOption('');
    await page.locator('.viewport .row[data-namespace="lab"][data-name="web"] .c-sel').click();
    await page.getByTestId('bulk-start').click();
    await page.locator('.viewport .row[data-namespace="lab"][data-name="web"][data-state="RUNNING"]').waitFor();
    assert.equal(await page.locator('.viewport .row[data-namespace="minimega"][data-name="web"]').getAttribute('data-state'), 'BUILDING');
    assert.match(await ok('namespace lab .columns name,state vm info'), /web\s+\| RUNNING/);
  });

  test('the launch dialog launches into the selected namespace; a new name makes a namespace', async () => {
    await page.getByTestId('namespace').selectOption('lab');
    await page.getByTestId('launch').click();
    const dialog = page.getByTestId('launch-dialog');
    assert.equal(await page.getByTestId('launch-namespace').inputValue(), 'lab');
    await dialog.locator('input[name=names]').fill('extra');
    assert.match(await page.getByTestId('minimega-commands').innerText(), /^namespace lab vm launch container extra$/m);
    await shot('ns-03-launch-into-lab');
    await page.getByTestId('launch-submit').click();
    await rowsAre(['lab/extra', 'lab/probe', 'lab/web']);
    assert.match(await ok('namespace lab .columns name vm info'), /extra/);

    await page.getByTestId('launch').click();
    await page.getByTestId('launch-namespace').fill('blue');
    await dialog.locator('input[name=names]').fill('b1');
    await dialog.locator('input[name=filesystem]').fill(fs.dir);
    await page.getByTestId('launch-submit').click();
    await rowsAre(['blue/b1']);
    assert.equal(await page.getByTestId('namespace').inputValue(), 'blue', 'the window follows the launch');
    assert.deepEqual(await page.getByTestId('namespace').locator('option').allInnerTexts(), ['all namespaces', 'blue (1)', 'lab (3)', 'minimega (2)']);
    await shot('ns-04-new-namespace');
  });

  test('a namespace destroyed elsewhere leaves the selector; the window falls back to all', async () => {
    await ok('clear namespace blue');
    await page.getByTestId('namespace').locator('option', { hasText: 'blue' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('namespace').inputValue(), '');
  });
});
