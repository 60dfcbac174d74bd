import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { until } from '../helpers/wait.js';
import { requires } from '../helpers/requires.js';
import { requiresChromium } from './lib/chromium.js';
import { useWebSuite } from './lib/web-suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();

/** Real daemon, real containers, real headless Chromium, through the web UI (design.md §1). */
describe('web UI end to end', { skip, timeout: 180_000 }, () => {
  // The first test waits for the connection itself: that the token URL loads the app is what it checks.
  const web = useWebSuite({ connected: false });
  const { shot, setTheme } = web;
  const rows = (state?: string) => web.page.locator(state ? `.viewport .row[data-state="${state}"]` : '.viewport .row');
  /** Wait until exactly n elements match (rows come and go with engine events). */
  async function waitCount(selector: string, n: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let got = -1;
    while ((got = await web.page.locator(selector).count()) !== n) {
      if (Date.now() > deadline) throw new Error(`${selector}: wanted ${n}, have ${got}`);
      await web.page.waitForTimeout(100);
    }
  }

  test('the token URL loads the app and drops the token from the address', async () => {
    await web.page.locator('.conn.up').waitFor();
    assert.equal(new URL(web.page.url()).search, '');
    await shot('01-containers-empty');
  });

  test('launches 3 containers from the dialog, with the minimega commands shown', async () => {
    await web.page.getByTestId('launch').click();
    const dialog = web.page.getByTestId('launch-dialog');
    await dialog.locator('input[name=names]').fill('web[0-2]');
    await dialog.locator('input[name=filesystem]').fill(web.fs.dir);
    await dialog.locator('input[name=memory]').fill('256');
    await dialog.locator('textarea[name=tags]').fill('role=e2e');
    const cmds = await web.page.getByTestId('minimega-commands').innerText();
    assert.match(cmds, new RegExp(`vm config filesystem ${web.fs.dir.replace(/[/.]/g, '\\$&')}`));
    assert.match(cmds, /vm config memory 256/);
    assert.match(cmds, /vm launch container web\[0-2\]$/);
    await shot('02-launch-dialog');
    await web.page.getByTestId('launch-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await waitCount('.viewport .row[data-state="BUILDING"]', 3);
    const names = [];
    for (const r of await rows().all()) names.push(await r.getAttribute('data-name'));
    assert.deepEqual(names, ['web0', 'web1', 'web2']);
    await shot('03-containers-building');
  });

  test('shows engine validation errors in the dialog', async () => {
    await web.page.getByTestId('launch').click();
    const dialog = web.page.getByTestId('launch-dialog');
    await dialog.locator('input[name=names]').fill('bad name');
    await dialog.locator('input[name=filesystem]').fill(web.fs.dir);
    await web.page.getByTestId('launch-submit').click();
    await web.page.getByTestId('launch-error').waitFor();
    assert.match(await web.page.getByTestId('launch-error').innerText(), /invalid name/);
    await shot('04-launch-error');
    await web.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('bulk start moves all three to RUNNING', async () => {
    await web.page.locator('.head input[type=checkbox]').check();
    await web.page.getByTestId('bulk-start').click();
    await waitCount('.viewport .row[data-state="RUNNING"]', 3);
    await web.page.getByText('vm start 3/3').waitFor();
    await shot('05-containers-running');
  });

  test('a console tab runs a command in the container', async () => {
    await web.page.locator('.viewport .row[data-name="web0"]').click();
    await web.page.getByTestId('detail').waitFor();
    await web.page.getByTestId('console-tab').click();
    const term = web.page.getByTestId('console-tabs').getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await web.page.keyboard.type('echo hello-$((6*7))\n');
    await term.locator('.xterm-rows', { hasText: 'hello-42' }).waitFor({ timeout: 15_000 });
    await shot('06-console-tab');
  });

  test("the graphs of the open container draw the engine's samples", async () => {
    const graph = web.page.getByTestId('memory-graph');
    const deadline = Date.now() + 20_000;
    while (Number(await graph.getAttribute('data-points')) < 3) {
      assert.ok(Date.now() < deadline, `memory graph has ${await graph.getAttribute('data-points')} points after 20 s`);
      await web.page.waitForTimeout(250);
    }
    // The last point drawn is the engine's sample for that second, and that sample is the cgroup's.
    // Both attributes in one read: a new sample may arrive between two.
    const [lastX, lastMem] = (await graph.evaluate((el) => [el.getAttribute('data-last-x'), el.getAttribute('data-last')])).map(Number) as [number, number];
    const info = (await web.client.call('vm.info')).find((c) => c.name === 'web0')!;
    const sample = (await web.client.call('stats.series', info.id)).find((s) => s.t === lastX * 1000);
    assert.ok(sample, `the engine has a sample at ${lastX}`);
    assert.equal(lastMem, sample.memoryBytes, 'memory graph value');
    assert.ok(sample.memoryBytes > 64 * 1024 && sample.memoryBytes < 256 * 1024 * 1024, `memory ${sample.memoryBytes} is a shell's, under the 256 MB limit`);
    assert.equal(sample.memoryLimitBytes, 256 * 1024 * 1024);
    const cpu = web.page.getByTestId('cpu-graph');
    const cores = Number(await cpu.getAttribute('data-last'));
    assert.ok(Number.isFinite(cores) && cores >= 0 && cores <= 2, `cpu graph value ${cores} cores`);
    await shot('07-detail-graphs');
  });

  test('a second console window has its own stream', async () => {
    const [popup] = await Promise.all([web.page.waitForEvent('popup'), web.page.getByTestId('console-window').click()]);
    await popup.setViewportSize({ width: 860, height: 540 });
    const term = popup.getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await popup.keyboard.type('echo window-$((40+2))\n');
    await term.locator('.xterm-rows', { hasText: 'window-42' }).waitFor({ timeout: 15_000 });
    await shot('08-console-window', popup);
    // Closing the window closes its stream only: the container keeps running, the tab keeps working.
    await popup.close();
    const tab = web.page.getByTestId('console-tabs').getByTestId('terminal');
    await tab.click();
    await web.page.keyboard.type('echo still-$((1+1))\n');
    await tab.locator('.xterm-rows', { hasText: 'still-2' }).waitFor({ timeout: 15_000 });
    assert.equal(await rows('RUNNING').count(), 3);
  });

  test('host view and both themes render', async () => {
    await setTheme('light');
    await web.page.getByTestId('nav-host').click();
    await web.page.getByTestId('host-view').waitFor();
    await until('the host graphs to have points', async () => {
      const points = await web.page.locator('[data-testid="host-view"] .graph').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-points'))));
      return points.length === 2 && points.every((n) => n >= 2);
    });
    await shot('09-host-view-light');
    await setTheme('dark');
    await web.page.waitForTimeout(300); // graphs rebuild with the theme's colours on the next frame
    await shot('10-host-view-dark');
    await web.page.getByTestId('nav-containers').click();
    await shot('11-containers-detail-dark');
    await setTheme('light');
  });

  test('bulk kill then flush empties the table', async () => {
    await web.page.keyboard.press('Escape');
    await web.page.locator('.head input[type=checkbox]').check();
    await web.page.getByTestId('bulk-kill').click();
    await waitCount('.viewport .row[data-state="QUIT"]', 3);
    await shot('12-containers-quit');
    await web.page.locator('.head input[type=checkbox]').check();
    await web.page.getByTestId('bulk-flush').click();
    await waitCount('.viewport .row', 0);
    await shot('13-containers-flushed');
  });
});
