// The command and control panel and console scripting in the web UI, in headless Chromium against a
// real daemon and real containers: compose a command with a filter, watch each container's progress
// and read its response, re-run it; type into all selected consoles at once; record keys in one
// console tab and play them on the selected containers. Screenshots are looked at, not compared.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';
import { requiresChromium } from './lib/chromium.js';
import { useWebSuite } from './lib/web-suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();
const N = 4;

describe('web UI: command and control, console scripting', { skip, timeout: 180_000 }, () => {
  const web = useWebSuite({
    setup: async ({ ok, fs }) => {
      await ok('.annotate false');
      await ok(`vm config filesystem ${fs.dir}`);
      await ok('vm config memory 128');
      await ok(`vm launch container cc[0-${N - 1}]`);
      await ok('vm start all');
    },
  });
  const { shot } = web;

  test('a command to every client: per-container progress, each response its own hostname', async () => {
    await web.page.getByTestId('nav-cc').click();
    await web.page.getByTestId('cc-panel').waitFor();
    await web.page.getByText(`every client · ${N} clients`).waitFor();
    const form = web.page.getByTestId('cc-compose');
    await form.locator('input[name=command]').fill('sh -c "hostname; echo done"');
    await shot('cc-01-compose');
    await web.page.getByTestId('cc-run').click();
    const progress = web.page.getByTestId('cc-progress');
    await progress.getByText(`${N} done`).waitFor({ timeout: 30_000 });
    assert.equal(await progress.getByTestId('cc-client').count(), N);
    await progress.getByTestId('cc-client').filter({ hasText: 'cc2' }).click();
    const response = web.page.getByTestId('cc-response');
    await response.locator('pre.out').waitFor();
    assert.equal(await response.locator('pre.out').innerText(), 'cc2\ndone\n');
    await shot('cc-02-progress-response');
  });

  test('a filtered command reaches one container, and re-run runs it again there', async () => {
    await web.page.locator('input[name=hostname]').fill('cc1');
    await web.page.getByTestId('cc-filter-text').getByText('hostname=cc1').waitFor();
    await web.page.locator('input[name=command]').fill('sh -c "echo ran-$(hostname) >> /tmp/runs; wc -l < /tmp/runs"');
    await web.page.getByTestId('cc-run').click();
    const progress = web.page.getByTestId('cc-progress');
    await progress.getByText('1 done').waitFor({ timeout: 30_000 });
    assert.deepEqual(
      (await progress.getByTestId('cc-client').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')),
      ['cc1 0'],
    ); // name, exit code
    const first = await web.client.call('cc.commands', 'minimega');
    await web.page.getByTestId('cc-command').first().getByTestId('cc-rerun').click();
    await until('the re-run was posted', async () => (await web.client.call('cc.commands', 'minimega')).length === first.length + 1);
    // The panel may still show the first run's "1 done": wait for the re-run's own check-in.
    await until('the re-run was answered', async () => (await web.client.call('cc.commands', 'minimega')).slice(-1)[0]!.checkedIn.length === 1);
    await progress.getByText('1 done').waitFor({ timeout: 30_000 });
    const [again] = (await web.client.call('cc.commands', 'minimega')).slice(-1);
    assert.deepEqual(again!.filter?.hostname, 'cc1');
    assert.equal((await web.client.call('vm.exec', 'cc1', ['cat', '/tmp/runs']))[0]!.stdout, 'ran-cc1\nran-cc1\n');
    assert.equal((await web.client.call('cc.state', 'minimega')).filter, null, 'the namespace filter is left as it was');
    await until('the list counts the response', async () => (await web.page.getByTestId('cc-command').first().getByTestId('cc-responses').innerText()) === '1');
    await shot('cc-03-filtered-rerun');
    await web.page.locator('input[name=hostname]').fill('');
  });

  test('console tab: type into all selected consoles, record keys and play them on the selected', async () => {
    await web.page.getByTestId('nav-containers').click();
    await web.page.locator('.head input[type=checkbox]').check(); // select all four
    await web.page.locator('.viewport .row[data-name="cc0"]').click();
    await web.page.getByTestId('detail').waitFor();
    await web.page.getByTestId('console-tab').click();
    const term = web.page.getByTestId('console-tabs').getByTestId('terminal');
    await term.locator('.xterm-rows').waitFor();
    await web.page.getByTestId('console-broadcast').check();
    await term.click();
    await web.page.keyboard.type('echo everywhere-$(hostname)\n');
    await term.locator('.xterm-rows', { hasText: 'everywhere-cc0' }).waitFor({ timeout: 15_000 });
    for (let i = 1; i < N; i++) {
      await until(`cc${i} got the typed line`, async () => (await web.client.call('console.screen', `cc${i}`)).includes(`everywhere-cc${i}`));
    }
    await web.page.getByTestId('console-broadcast').uncheck();

    await web.page.getByTestId('console-rec-file').fill('typed.rec');
    await web.page.getByTestId('console-record').click();
    await web.page.getByTestId('console-stop').waitFor();
    await term.click();
    await web.page.keyboard.type('echo replayed-$(hostname)\n');
    await term.locator('.xterm-rows', { hasText: 'replayed-cc0' }).waitFor({ timeout: 15_000 });
    await web.page.getByTestId('console-stop').click();
    await web.page.getByTestId('console-record').waitFor();
    const rec = readFileSync(join(web.daemon.base, 'files', 'typed.rec'), 'utf8');
    assert.match(rec, /^\d+:e$/m);
    assert.match(rec, /^\d+:\\r$/m);
    await shot('cc-04-console-recorded');
    await web.page.getByTestId('console-play').click();
    for (let i = 0; i < N; i++) {
      await until(`cc${i} replayed`, async () => (await web.client.call('console.screen', `cc${i}`)).includes(`replayed-cc${i}`), 30_000);
    }
    await web.page.getByText(`played typed.rec on ${N} consoles`).waitFor();
    await shot('cc-05-console-played');
  });
});
