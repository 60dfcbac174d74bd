// The namespace selector in headless Chromium against a real daemon with real containers: the table
// filtered by namespace, every namespace with a badge per row, bulk actions by id across namespaces that
// reuse a name, and the launch dialog launching into the selected namespace (or a new one).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';
import { requiresChromium } from './lib/chromium.js';
import { useWebSuite } from './lib/web-suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();

describe('namespaces in the web UI', { skip, timeout: 180_000 }, () => {
  const web = useWebSuite({
    setup: async ({ ok, fs }) => {
      await ok(`vm config filesystem ${fs.dir}`);
      await ok('vm launch container web,db');
      await ok(`namespace lab vm config filesystem ${fs.dir}`);
      await ok('namespace lab vm launch container web,probe');
    },
    page: { viewport: { width: 1400, height: 800 } },
    clear: (client) => client.call('cli.exec', 'clear namespace all'),
  });
  const { ok, shot } = web;
  const names = async () =>
    (
      await web.page.locator('.viewport .row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-namespace')}/${r.getAttribute('data-name')}`))
    ).sort();
  /**
   * Wait until `read` gives `want`, failing after 30 s with what it gave last. The rows and the
   * selector's options both arrive over the wire after the page connects (and again after each change).
   */
  async function becomes(what: string, read: () => Promise<string[]>, want: string[]): Promise<void> {
    let got: string[] = [];
    await until(
      () => `${what}: wanted ${JSON.stringify(want)}, have ${JSON.stringify(got)}`,
      async () => JSON.stringify((got = await read())) === JSON.stringify(want),
      30_000,
    );
  }
  const rowsAre = (want: string[]) => becomes('rows', names, want);
  const optionsAre = (want: string[]) => becomes('namespace options', () => web.page.getByTestId('namespace').locator('option').allInnerTexts(), want);

  test('with several namespaces the window starts on all of them, each row saying which', async () => {
    const select = web.page.getByTestId('namespace');
    assert.equal(await select.inputValue(), '');
    await optionsAre(['all namespaces', 'lab (2)', 'minimega (2)']);
    await rowsAre(['lab/probe', 'lab/web', 'minimega/db', 'minimega/web']);
    assert.equal(await web.page.getByTestId('ns-badge').count(), 4);
    await shot('ns-01-all-namespaces');
  });

  test('choosing a namespace filters the table and the counts', async () => {
    await web.page.getByTestId('namespace').selectOption('lab');
    await rowsAre(['lab/probe', 'lab/web']);
    assert.equal(await web.page.getByTestId('ns-badge').count(), 0, 'one namespace: no badges');
    assert.match(await web.page.getByTestId('nav-containers').innerText(), /Containers\s+2/);
    await shot('ns-02-lab');
  });

  test('bulk start works by id: the two `web`s are different containers', async () => {
    await web.page.getByTestId('namespace').selectOption('');
    await web.page.locator('.viewport .row[data-namespace="lab"][data-name="web"] .c-sel').click();
    await web.page.getByTestId('bulk-start').click();
    await web.page.locator('.viewport .row[data-namespace="lab"][data-name="web"][data-state="RUNNING"]').waitFor();
    assert.equal(await web.page.locator('.viewport .row[data-namespace="minimega"][data-name="web"]').getAttribute('data-state'), 'BUILDING');
    assert.match(await ok('namespace lab .columns name,state vm info'), /web\s+\| RUNNING/);
  });

  test('the launch dialog launches into the selected namespace; a new name makes a namespace', async () => {
    await web.page.getByTestId('namespace').selectOption('lab');
    await web.page.getByTestId('launch').click();
    const dialog = web.page.getByTestId('launch-dialog');
    assert.equal(await web.page.getByTestId('launch-namespace').inputValue(), 'lab');
    await dialog.locator('input[name=names]').fill('extra');
    assert.match(await web.page.getByTestId('minimega-commands').innerText(), /^namespace lab vm launch container extra$/m);
    await shot('ns-03-launch-into-lab');
    await web.page.getByTestId('launch-submit').click();
    await rowsAre(['lab/extra', 'lab/probe', 'lab/web']);
    assert.match(await ok('namespace lab .columns name vm info'), /extra/);

    await web.page.getByTestId('launch').click();
    await web.page.getByTestId('launch-namespace').fill('blue');
    await dialog.locator('input[name=names]').fill('b1');
    await dialog.locator('input[name=filesystem]').fill(web.fs.dir);
    await web.page.getByTestId('launch-submit').click();
    await rowsAre(['blue/b1']);
    assert.equal(await web.page.getByTestId('namespace').inputValue(), 'blue', 'the window follows the launch');
    await optionsAre(['all namespaces', 'blue (1)', 'lab (3)', 'minimega (2)']);
    await shot('ns-04-new-namespace');
  });

  test('a namespace destroyed elsewhere leaves the selector; the window falls back to all', async () => {
    await ok('clear namespace blue');
    await web.page.getByTestId('namespace').locator('option', { hasText: 'blue' }).waitFor({ state: 'detached' });
    assert.equal(await web.page.getByTestId('namespace').inputValue(), '');
  });
});
