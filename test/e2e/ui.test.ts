import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EngineClient } from '../../cli/engine-client.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { until } from '../helpers/wait.js';
import { requires } from '../helpers/requires.js';
import { launchChromium, requiresChromium } from './lib/chromium.js';
import { startWebDaemon, type WebDaemon } from './lib/web-daemon.js';

/** Screenshots of every view land here (looked at by a person, not compared). */
const SHOTS = join(process.cwd(), 'test-output', 'e2e');
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();

/** Real daemon, real containers, real headless Chromium, through the web UI (design.md §1). */
describe('web UI end to end', { skip, timeout: 180_000 }, () => {
  let daemon: WebDaemon;
  let fs: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let pre: HostSnapshot | undefined;

  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(SHOTS, `${name}.png`) });
  const rows = (state?: string) => page.locator(state ? `.viewport .row[data-state="${state}"]` : '.viewport .row');
  /** Switch to a theme by the header button (the first page load follows prefers-color-scheme). */
  async function setTheme(t: 'light' | 'dark'): Promise<void> {
    if ((await page.locator('html').getAttribute('data-theme')) !== t) await page.getByTestId('theme').click();
    await page.locator(`html[data-theme="${t}"]`).waitFor();
  }
  /** Wait until exactly n elements match (rows come and go with engine events). */
  async function waitCount(selector: string, n: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let got = -1;
    while ((got = await page.locator(selector).count()) !== n) {
      if (Date.now() > deadline) throw new Error(`${selector}: wanted ${n}, have ${got}`);
      await page.waitForTimeout(100);
    }
  }

  before(async () => {
    pre = snapshot();
    mkdirSync(SHOTS, { recursive: true });
    fs = await busyboxRoot();
    daemon = await startWebDaemon();
    ({ browser, close: closeBrowser } = await launchChromium());
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(daemon.url);
  });

  after(async () => {
    await closeBrowser?.();
    await daemon?.stop();
    await fs?.remove();
    if (pre) await assertNoLeaks(pre);
  });

  test('the token URL loads the app and drops the token from the address', async () => {
    await page.locator('.conn.up').waitFor();
    assert.equal(new URL(page.url()).search, '');
    await shot('01-containers-empty');
  });

  test('launches 3 containers from the dialog, with the minimega commands shown', async () => {
    await page.getByTestId('launch').click();
    const dialog = page.getByTestId('launch-dialog');
    await dialog.locator('input[name=names]').fill('web[0-2]');
    await dialog.locator('input[name=filesystem]').fill(fs.dir);
    await dialog.locator('input[name=memory]').fill('256');
    await dialog.locator('textarea[name=tags]').fill('role=e2e');
    const cmds = await page.getByTestId('minimega-commands').innerText();
    assert.match(cmds, new RegExp(`vm config filesystem ${fs.dir.replace(/[/.]/g, '\\$&')}`));
    assert.match(cmds, /vm config memory 256/);
    assert.match(cmds, /vm launch container web\[0-2\]$/);
    await shot('02-launch-dialog');
    await page.getByTestId('launch-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await waitCount('.viewport .row[data-state="BUILDING"]', 3);
    const names = [];
    for (const r of await rows().all()) names.push(await r.getAttribute('data-name'));
    assert.deepEqual(names, ['web0', 'web1', 'web2']);
    await shot('03-containers-building');
  });

  test('shows engine validation errors in the dialog', async () => {
    await page.getByTestId('launch').click();
    const dialog = page.getByTestId('launch-dialog');
    await dialog.locator('input[name=names]').fill('bad name');
    await dialog.locator('input[name=filesystem]').fill(fs.dir);
    await page.getByTestId('launch-submit').click();
    await page.getByTestId('launch-error').waitFor();
    assert.match(await page.getByTestId('launch-error').innerText(), /invalid name/);
    await shot('04-launch-error');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('bulk start moves all three to RUNNING', async () => {
    await page.locator('.head input[type=checkbox]').check();
    await page.getByTestId('bulk-start').click();
    await waitCount('.viewport .row[data-state="RUNNING"]', 3);
    await page.getByText('vm start 3/3').waitFor();
    await shot('05-containers-running');
  });

  test('a console tab runs a command in the container', async () => {
    await page.locator('.viewport .row[data-name="web0"]').click();
    await page.getByTestId('detail').waitFor();
    await page.getByTestId('console-tab').click();
    const term = page.getByTestId('console-tabs').getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await page.keyboard.type('echo hello-$((6*7))\n');
    await term.locator('.xterm-rows', { hasText: 'hello-42' }).waitFor({ timeout: 15_000 });
    await shot('06-console-tab');
  });

  test("the graphs of the open container draw the engine's samples", async () => {
    const graph = page.getByTestId('memory-graph');
    const deadline = Date.now() + 20_000;
    while (Number(await graph.getAttribute('data-points')) < 3) {
      assert.ok(Date.now() < deadline, `memory graph has ${await graph.getAttribute('data-points')} points after 20 s`);
      await page.waitForTimeout(250);
    }
    // The last point drawn is the engine's sample for that second, and that sample is the cgroup's.
    // Both attributes in one read: a new sample may arrive between two.
    const [lastX, lastMem] = (await graph.evaluate((el) => [el.getAttribute('data-last-x'), el.getAttribute('data-last')])).map(Number) as [number, number];
    const client = await EngineClient.connect(daemon.base);
    try {
      const info = (await client.call('vm.info')).find((c) => c.name === 'web0')!;
      const sample = (await client.call('stats.series', info.id)).find((s) => s.t === lastX * 1000);
      assert.ok(sample, `the engine has a sample at ${lastX}`);
      assert.equal(lastMem, sample.memoryBytes, 'memory graph value');
      assert.ok(sample.memoryBytes > 64 * 1024 && sample.memoryBytes < 256 * 1024 * 1024, `memory ${sample.memoryBytes} is a shell's, under the 256 MB limit`);
      assert.equal(sample.memoryLimitBytes, 256 * 1024 * 1024);
      const cpu = page.getByTestId('cpu-graph');
      const cores = Number(await cpu.getAttribute('data-last'));
      assert.ok(Number.isFinite(cores) && cores >= 0 && cores <= 2, `cpu graph value ${cores} cores`);
    } finally {
      client.close();
    }
    await shot('07-detail-graphs');
  });

  test('a second console window has its own stream', async () => {
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('console-window').click()]);
    await popup.setViewportSize({ width: 860, height: 540 });
    const term = popup.getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await popup.keyboard.type('echo window-$((40+2))\n');
    await term.locator('.xterm-rows', { hasText: 'window-42' }).waitFor({ timeout: 15_000 });
    await shot('08-console-window', popup);
    // Closing the window closes its stream only: the container keeps running, the tab keeps working.
    await popup.close();
    const tab = page.getByTestId('console-tabs').getByTestId('terminal');
    await tab.click();
    await page.keyboard.type('echo still-$((1+1))\n');
    await tab.locator('.xterm-rows', { hasText: 'still-2' }).waitFor({ timeout: 15_000 });
    assert.equal(await rows('RUNNING').count(), 3);
  });

  test('host view and both themes render', async () => {
    await setTheme('light');
    await page.getByTestId('nav-host').click();
    await page.getByTestId('host-view').waitFor();
    await until('the host graphs to have points', async () => {
      const points = await page.locator('[data-testid="host-view"] .graph').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-points'))));
      return points.length === 2 && points.every((n) => n >= 2);
    });
    await shot('09-host-view-light');
    await setTheme('dark');
    await page.waitForTimeout(300); // graphs rebuild with the theme's colours on the next frame
    await shot('10-host-view-dark');
    await page.getByTestId('nav-containers').click();
    await shot('11-containers-detail-dark');
    await setTheme('light');
  });

  test('bulk kill then flush empties the table', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.head input[type=checkbox]').check();
    await page.getByTestId('bulk-kill').click();
    await waitCount('.viewport .row[data-state="QUIT"]', 3);
    await shot('12-containers-quit');
    await page.locator('.head input[type=checkbox]').check();
    await page.getByTestId('bulk-flush').click();
    await waitCount('.viewport .row', 0);
    await shot('13-containers-flushed');
  });
});
