// The command and control panel and console scripting in the web UI, in headless Chromium against a
// real daemon and real containers: compose a command with a filter, watch each container's progress
// and read its response, re-run it; type into all selected consoles at once; record keys in one
// console tab and play them on the selected containers. Screenshots are looked at, not compared.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EngineClient } from '../../cli/engine-client.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';
import { launchChromium, requiresChromium } from './lib/chromium.js';
import { startWebDaemon, type WebDaemon } from './lib/web-daemon.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e');
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();
const N = 4;

describe('web UI: command and control, console scripting', { skip, timeout: 180_000 }, () => {
  let daemon: WebDaemon;
  let fs: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let client: EngineClient;
  let pre: HostSnapshot | undefined;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const ok = async (line: string) => {
    const r = await client.call('cli.exec', line);
    assert.deepEqual(r.errors, [], line);
    return r.output;
  };

  before(async () => {
    pre = snapshot();
    mkdirSync(SHOTS, { recursive: true });
    fs = await busyboxRoot();
    daemon = await startWebDaemon();
    client = await EngineClient.connect(daemon.base);
    await ok('.annotate false');
    await ok(`vm config filesystem ${fs.dir}`);
    await ok('vm config memory 128');
    await ok(`vm launch container cc[0-${N - 1}]`);
    await ok('vm start all');
    ({ browser, close: closeBrowser } = await launchChromium());
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(daemon.url);
    await page.locator('.conn.up').waitFor();
  });

  after(async () => {
    await closeBrowser?.();
    await client?.call('vm.kill', 'all').catch(() => undefined);
    await client?.call('vm.flush', 'all').catch(() => undefined);
    client?.close();
    await daemon?.stop();
    await fs?.remove();
    if (pre) await assertNoLeaks(pre);
  });

  test('a command to every client: per-container progress, each response its own hostname', async () => {
    await page.getByTestId('nav-cc').click();
    await page.getByTestId('cc-panel').waitFor();
    await page.getByText(`every client · ${N} clients`).waitFor();
    const form = page.getByTestId('cc-compose');
    await form.locator('input[name=command]').fill('sh -c "hostname; echo done"');
    await shot('cc-01-compose');
    await page.getByTestId('cc-run').click();
    const progress = page.getByTestId('cc-progress');
    await progress.getByText(`${N} done`).waitFor({ timeout: 30_000 });
    assert.equal(await progress.getByTestId('cc-client').count(), N);
    await progress.getByTestId('cc-client').filter({ hasText: 'cc2' }).click();
    const response = page.getByTestId('cc-response');
    await response.locator('pre.out').waitFor();
    assert.equal(await response.locator('pre.out').innerText(), 'cc2\ndone\n');
    await shot('cc-02-progress-response');
  });

  test('a filtered command reaches one container, and re-run runs it again there', async () => {
    await page.locator('input[name=hostname]').fill('cc1');
    await page.getByTestId('cc-filter-text').getByText('hostname=cc1').waitFor();
    await page.locator('input[name=command]').fill('sh -c "echo ran-$(hostname) >> /tmp/runs; wc -l < /tmp/runs"');
    await page.getByTestId('cc-run').click();
    const progress = page.getByTestId('cc-progress');
    await progress.getByText('1 done').waitFor({ timeout: 30_000 });
    assert.deepEqual(
      (await progress.getByTestId('cc-client').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')),
      ['cc1 0'],
    ); // name, exit code
    const first = await client.call('cc.commands', 'minimega');
    await page.getByTestId('cc-command').first().getByTestId('cc-rerun').click();
    await until('the re-run was posted', async () => (await client.call('cc.commands', 'minimega')).length === first.length + 1);
    await progress.getByText('1 done').waitFor({ timeout: 30_000 });
    const [again] = (await client.call('cc.commands', 'minimega')).slice(-1);
    assert.deepEqual(again!.filter?.hostname, 'cc1');
    assert.equal((await client.call('vm.exec', 'cc1', ['cat', '/tmp/runs']))[0]!.stdout, 'ran-cc1\nran-cc1\n');
    assert.equal((await client.call('cc.state', 'minimega')).filter, null, 'the namespace filter is left as it was');
    await until('the list counts the response', async () => (await page.getByTestId('cc-command').first().getByTestId('cc-responses').innerText()) === '1');
    await shot('cc-03-filtered-rerun');
    await page.locator('input[name=hostname]').fill('');
  });

  test('console tab: type into all selected consoles, record keys and play them on the selected', async () => {
    await page.getByTestId('nav-containers').click();
    await page.locator('.head input[type=checkbox]').check(); // select all four
    await page.locator('.viewport .row[data-name="cc0"]').click();
    await page.getByTestId('detail').waitFor();
    await page.getByTestId('console-tab').click();
    const term = page.getByTestId('console-tabs').getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await page.getByTestId('console-broadcast').check();
    await term.click();
    await page.keyboard.type('echo everywhere-$(hostname)\n');
    await term.locator('.xterm-rows', { hasText: 'everywhere-cc0' }).waitFor({ timeout: 15_000 });
    for (let i = 1; i < N; i++) {
      await until(`cc${i} got the typed line`, async () => (await client.call('console.screen', `cc${i}`)).includes(`everywhere-cc${i}`));
    }
    await page.getByTestId('console-broadcast').uncheck();

    await page.getByTestId('console-rec-file').fill('typed.rec');
    await page.getByTestId('console-record').click();
    await page.getByTestId('console-stop').waitFor();
    await term.click();
    await page.keyboard.type('echo replayed-$(hostname)\n');
    await term.locator('.xterm-rows', { hasText: 'replayed-cc0' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('console-stop').click();
    await page.getByTestId('console-record').waitFor();
    const rec = readFileSync(join(daemon.base, 'files', 'typed.rec'), 'utf8');
    assert.match(rec, /^\d+:e$/m);
    assert.match(rec, /^\d+:\\r$/m);
    await shot('cc-04-console-recorded');
    await page.getByTestId('console-play').click();
    for (let i = 0; i < N; i++) {
      await until(`cc${i} replayed`, async () => (await client.call('console.screen', `cc${i}`)).includes(`replayed-cc${i}`), 30_000);
    }
    await page.getByText(`played typed.rec on ${N} consoles`).waitFor();
    await shot('cc-05-console-played');
  });
});
