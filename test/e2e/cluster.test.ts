// One view of a cluster in headless Chromium: the web UI connected to one daemon of three (the cluster
// harness: network namespaces, a 3-member etcd, a daemon per host) shows every host's containers with a
// host column and filter, a hosts view with each host's capacity, load and graphs, opens the console of
// a container on another host through that host's daemon, and shows a host whose daemon died as down
// with its containers UNKNOWN. Screenshots in test-output/e2e/cluster-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { socketPath } from '../../engine/api/wire.js';
import { serveWeb, type WebServer } from '../../web/server.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { launchChromium, requiresChromium } from './lib/chromium.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e');
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'etcd') || requiresChromium();

describe('a cluster in the web UI', { skip, timeout: 240_000 }, () => {
  let c: TestCluster;
  let web: WebServer;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let pre: HostSnapshot;
  let names: string[];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `cluster-${name}.png`) });
  const rowHosts = async () =>
    (await page.locator('.viewport .row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-host')}/${r.getAttribute('data-name')}`))).sort();
  async function until<T>(what: string, fn: () => Promise<T | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await page.waitForTimeout(200);
    }
  }

  before(async () => {
    pre = snapshot();
    mkdirSync(SHOTS, { recursive: true });
    c = await startCluster({ n: 3, prefix: 'nmw' });
    names = c.hosts.map((h) => h.name);
    await c.ok(0, 'namespace lab vm launch container web[1-6]');
    await c.ok(0, 'namespace lab vm start all');
    // The relay runs here, in the test's network namespace, on host 1's daemon socket (as `nanomega web`).
    web = await serveWeb({ socket: socketPath(c.hosts[0]!.base), listen: '127.0.0.1:0' });
    ({ browser, close: closeBrowser } = await launchChromium());
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(web.url);
    await page.locator('.conn.up').waitFor();
  });

  after(async () => {
    try {
      await closeBrowser?.();
      await web?.close();
    } finally {
      // Whatever failed before: the cluster's containers, daemons and etcd go.
      await c?.dispose();
    }
    await assertNoLeaks(pre);
  });

  test('the containers table lists every host’s containers with a host column; the host filter shows one host’s', async () => {
    await page.getByTestId('host-column').waitFor();
    const want = await until('six rows over three hosts', async () => {
      const got = await rowHosts();
      return got.length === 6 && new Set(got.map((r) => r.split('/')[0])).size === 3 ? got : false;
    });
    for (const h of names) assert.equal(want.filter((r) => r.startsWith(`${h}/`)).length, 2, `2 on ${h}`);
    assert.equal(await page.locator('.viewport .row[data-state="RUNNING"]').count(), 6);
    await shot('1-containers');
    await page.getByTestId('host-filter').selectOption(names[1]!);
    const one = await until('one host’s rows', async () => {
      const got = await rowHosts();
      return got.length === 2 ? got : false;
    });
    assert.ok(one.every((r) => r.startsWith(`${names[1]}/`)));
    await page.getByTestId('host-filter').selectOption('');
  });

  test('the hosts view shows the three hosts up with capacity, load graphs and the scheduler', async () => {
    await page.getByTestId('nav-hosts').click();
    const cards = page.getByTestId('host-card');
    await until('three host cards', async () => (await cards.count()) === 3 || false);
    for (const h of names) {
      const card = page.locator(`[data-testid="host-card"][data-host="${h}"]`);
      assert.equal(await card.getAttribute('data-up'), 'true');
      assert.equal(await card.getAttribute('data-containers'), '2');
      await card.locator('.graph .plot canvas').first().waitFor();
    }
    assert.equal(await page.locator('[data-testid="host-card"] .badge', { hasText: 'scheduler' }).count(), 1);
    assert.equal(await page.locator(`[data-testid="host-card"][data-host="${names[0]}"] .badge`, { hasText: 'this daemon' }).count(), 1);
    // A few polls, so the graphs have points.
    await until('graph points', async () => Number(await page.locator('.graph').first().getAttribute('data-points')) >= 3 || false);
    await shot('2-hosts');
  });

  test('the console of a container on another host opens through its daemon', async () => {
    await page.getByTestId('nav-containers').click();
    const row = page.locator(`.viewport .row[data-host="${names[2]}"]`).first();
    const name = await row.getAttribute('data-name');
    await row.dblclick();
    const pane = page.getByTestId('remote-console');
    assert.equal(await pane.getAttribute('data-host'), names[2]);
    assert.equal(await pane.getAttribute('data-name'), name);
    const term = pane.getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await page.keyboard.type('echo remote-$((6*7)) $(hostname)\n');
    await term.locator('.xterm-rows', { hasText: `remote-42 ${name}` }).waitFor({ timeout: 15_000 });
    await shot('3-remote-console');
    await pane.getByRole('button', { name: `close console ${name}` }).click();
  });

  test('bulk Stop and Start reach the containers of another host through its daemon', async () => {
    await page.getByTestId('nav-containers').click();
    const rows = page.locator(`.viewport .row[data-host="${names[1]}"]`);
    await until('the other host’s rows', async () => (await rows.count()) === 2 || false);
    for (const i of [0, 1]) await rows.nth(i).locator('.c-sel').click();
    await page.getByTestId('bulk-stop').click();
    await until(
      'both PAUSED on their host',
      async () => (await page.locator(`.viewport .row[data-host="${names[1]}"][data-state="PAUSED"]`).count()) === 2 || false,
    );
    const there = (await c.ok(1, 'namespace lab .columns name,state vm info')).split('\n').filter((l) => /PAUSED/.test(l));
    assert.equal(there.length, 2, 'the owning daemon says so too');
    await shot('4-remote-bulk');
    await page.getByTestId('bulk-start').click();
    await until('both RUNNING again', async () => (await page.locator(`.viewport .row[data-host="${names[1]}"][data-state="RUNNING"]`).count()) === 2 || false);
    await page.keyboard.press('Escape');
  });

  test('a host whose daemon died is shown down and its containers UNKNOWN', async () => {
    await c.crashDaemon(2);
    await page.getByTestId('nav-hosts').click();
    await page.locator(`[data-testid="host-card"][data-host="${names[2]}"][data-up="false"]`).waitFor({ timeout: 15_000 });
    await shot('4-host-down');
    await page.getByTestId('nav-containers').click();
    await until('UNKNOWN rows', async () => (await page.locator(`.viewport .row[data-host="${names[2]}"][data-state="UNKNOWN"]`).count()) === 2 || false);
    await shot('5-unknown');
  });
});
