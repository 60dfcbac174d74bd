import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerInfo, VmState } from '../../engine/api/types.js';
import { ConsoleClient } from '../helpers/console.js';
import { requires } from '../helpers/requires.js';
import { requiresChromium } from './lib/chromium.js';
import { useWebSuite } from './lib/web-suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || requiresChromium();

/** 12 containers with a NIC each, launched through the daemon: 6 on LAN, 6 on DMZ (addresses live only in their own namespaces). */
const DB = Array.from({ length: 12 }, (_, i) => ({
  name: `db${i}`,
  net: i < 6 ? `LAN,10.199.9.${i + 1}/24` : `DMZ,10.199.10.${i - 5}/24`,
}));
/** 48 more launched through the launch dialog, 60 in all. */
const WEB = 48;
const TOTAL = DB.length + WEB;

/**
 * The containers view at scale (issue 5): 60 real busybox containers in mixed states, with NICs, tags,
 * sparklines and a detail view with ≥ 10 s of samples — screenshots for a person to look at — then
 * everything killed and flushed through the UI, with no kernel object left behind.
 */
describe('web UI with 60 containers', { skip, timeout: 300_000 }, () => {
  const web = useWebSuite();
  const { ok, shot, setTheme } = web;
  const row = (name: string) => web.page.locator(`.viewport .row[data-name="${name}"]`);
  async function states(): Promise<Partial<Record<VmState, number>>> {
    const out: Partial<Record<VmState, number>> = {};
    for (const c of await web.client.call('vm.info')) out[c.state] = (out[c.state] ?? 0) + 1;
    return out;
  }
  /** Poll until `check` holds (engine events and 1 Hz stats arrive when they arrive). */
  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await web.page.waitForTimeout(200);
    }
  }
  const stateCount = (s: VmState, n: number) => until(`${n} ${s}`, async () => (await states())[s] === n);
  /** The header's per-state count as the UI shows it ("11 PAUSED"). */
  const shownCount = async (s: VmState) => {
    const el = web.page.locator(`.top .counts .state-${s}`);
    return (await el.count()) ? Number.parseInt(await el.innerText(), 10) : 0;
  };
  const points = async (selector: string) => Number((await web.page.locator(selector).first().getAttribute('data-points')) ?? 0);
  /** Replace the selection with exactly these rows (all near the top, so rendered by the virtual table). */
  async function selectOnly(names: string[]): Promise<void> {
    await web.page.keyboard.press('Escape');
    await web.page.keyboard.press('Escape');
    await web.page.getByText('0 selected', { exact: true }).waitFor();
    for (const n of names) await row(n).locator('.c-sel input').click();
    await web.page.getByText(`${names.length} selected`, { exact: true }).waitFor();
  }

  test('12 containers with NICs from the daemon, 48 from the launch dialog', async () => {
    await ok(`vm config filesystem ${web.fs.dir}`);
    await ok('vm config memory 128');
    await ok('vm config tags role db');
    for (const { name, net } of DB) {
      await ok(`vm config net ${net}`);
      await ok(`vm launch container ${name}`);
    }
    await ok('clear vm config net');
    await ok('clear vm config tags');

    await web.page.getByTestId('launch').click();
    const dialog = web.page.getByTestId('launch-dialog');
    await dialog.locator('input[name=names]').fill(`web[0-${WEB - 1}]`);
    await dialog.locator('input[name=filesystem]').fill(web.fs.dir);
    await dialog.locator('input[name=memory]').fill('128');
    await dialog.locator('textarea[name=tags]').fill('role=web');
    await web.page.getByTestId('launch-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await stateCount('BUILDING', TOTAL);
    await until('the header to count 60 BUILDING', async () => (await shownCount('BUILDING')) === TOTAL);
  });

  test('bulk start runs all 60', async () => {
    await web.page.locator('.head input[type=checkbox]').check();
    await web.page.getByTestId('bulk-start').click();
    await web.page.getByText(`vm start ${TOTAL}/${TOTAL}`).waitFor({ timeout: 120_000 });
    await stateCount('RUNNING', TOTAL);
    await until('the header to count 60 RUNNING', async () => (await shownCount('RUNNING')) === TOTAL);
  });

  test('tags, stops and kills leave the states mixed', async () => {
    await ok('vm tag web[0-9] owner alice');
    await ok('vm tag db[0-3] backup nightly');
    await row('web0').locator('.c-tags', { hasText: 'owner=alice' }).waitFor();

    // Stop through the filter: "web4" matches web4 and web40-47 (the bulk start left all 60 selected).
    await selectOnly([]);
    await web.page.getByTestId('filter').fill('web4');
    await until('the filter to show 9 rows', async () => (await web.page.locator('.viewport .row').count()) === 9);
    await web.page.locator('.head input[type=checkbox]').check();
    await web.page.getByText('9 selected', { exact: true }).waitFor();
    await web.page.getByTestId('bulk-stop').click();
    await stateCount('PAUSED', 9);
    await web.page.getByTestId('filter').fill('');

    await selectOnly(['db2', 'db9', 'web1']);
    await web.page.getByTestId('bulk-stop').click();
    await stateCount('PAUSED', 12);
    await selectOnly(['db7', 'web3', 'web6']);
    await web.page.getByTestId('bulk-kill').click();
    await stateCount('QUIT', 3);
    await web.page.keyboard.press('Escape');
    await web.page.getByText('0 selected', { exact: true }).waitFor();
    assert.deepEqual(await states(), { RUNNING: 45, PAUSED: 12, QUIT: 3 });
    await until(
      'the header to show the mix',
      async () => (await shownCount('RUNNING')) === 45 && (await shownCount('PAUSED')) === 12 && (await shownCount('QUIT')) === 3,
    );
  });

  test('the containers view with 60 containers: every column has content', async () => {
    // Some memory growth and some CPU in db0, so its sparkline and graphs have a shape.
    const db0 = (await web.client.call('vm.info')).find((c: ContainerInfo) => c.name === 'db0')!;
    const con = await ConsoleClient.connect(db0.console);
    await con.run(
      '(n=0; while [ $n -lt 40 ]; do dd if=/dev/zero of=/tmp/f$n bs=256k count=1 2>/dev/null; i=0; while [ $i -lt 4000 ]; do i=$((i+1)); done; n=$((n+1)); sleep 1; done) >/dev/null 2>&1 & true',
    );
    con.close();

    await until('sparklines with several points', async () => (await points('.viewport .row[data-name="web0"] .spark')) >= 6);
    await until('the NIC addresses read from the containers', async () => (await row('db0').locator('.c-net').innerText()).includes('10.199.9.1'));
    assert.match(await row('db0').locator('.c-net').innerText(), /LAN 10\.199\.9\.1/);
    assert.match(await row('db6').locator('.c-net').innerText(), /DMZ 10\.199\.10\.1/);
    assert.equal(await web.page.getByTestId('detail').count(), 0);
    for (const col of ['c-name', 'c-state', 'c-up', 'c-mem', 'c-cpu', 'c-pids', 'c-net', 'c-tags']) {
      assert.ok(await row('db1').locator(`.${col}`).isVisible(), `${col} visible`);
    }
    assert.match(await web.page.getByTestId('nav-containers').innerText(), /60/);
    // A killed container's last sample is stale: no memory, cpu or procs.
    assert.deepEqual(await row('db7').locator('.c-mem, .c-cpu, .c-pids').allInnerTexts(), ['–', '–', '–']);
    await shot('20-containers-60');
  });

  test('the detail view of db0 after 10 s of samples draws lines', async () => {
    await row('db0').click();
    await web.page.getByTestId('detail').waitFor();
    await until('12 memory samples', async () => (await points('[data-testid="memory-graph"]')) >= 12);
    await until('12 cpu samples', async () => (await points('[data-testid="cpu-graph"]')) >= 12);
    await shot('21-detail-graphs-10s');
    await web.page.keyboard.press('Escape');
    await web.page.getByTestId('detail').waitFor({ state: 'detached' });
  });

  test('the filter narrows 60 rows to the paused ones', async () => {
    await web.page.getByTestId('filter').fill('paused');
    await until('12 rows', async () => (await web.page.locator('.viewport .row').count()) === 12);
    for (const r of await web.page.locator('.viewport .row').all()) assert.equal(await r.getAttribute('data-state'), 'PAUSED');
    assert.equal(await web.page.getByTestId('filter-count').innerText(), '12 of 60 shown ·');
    await shot('22-containers-60-filter-paused');
    await web.page.getByTestId('filter').fill('');
    await web.page.keyboard.press('Escape');
  });

  test('the same views in the dark theme', async () => {
    await setTheme('dark');
    await shot('23-containers-60-dark');
    await row('db0').click();
    await web.page.getByTestId('detail').waitFor();
    await until('the graphs rebuilt with points', async () => (await points('[data-testid="memory-graph"]')) >= 12);
    await web.page.waitForTimeout(300); // the theme rebuild runs on the next animation frame
    await shot('24-detail-graphs-dark');
    await web.page.keyboard.press('Escape');
    await web.page.getByTestId('detail').waitFor({ state: 'detached' });
    await setTheme('light');
  });

  test('bulk kill and flush of all 60 through the UI', async () => {
    const selectAll = async () => {
      await selectOnly([]);
      await web.page.locator('.head input[type=checkbox]').check();
      await web.page.getByText(`${TOTAL} selected`, { exact: true }).waitFor();
    };
    await selectAll();
    await web.page.getByTestId('bulk-kill').click();
    await stateCount('QUIT', TOTAL);
    await selectAll();
    await web.page.getByTestId('bulk-flush').click();
    await until('an empty table', async () => (await web.client.call('vm.info')).length === 0 && (await web.page.locator('.viewport .row').count()) === 0);
    await web.page.getByText('No containers yet').waitFor();
    await shot('25-containers-flushed');
  });
});
