import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EngineClient } from '../../cli/engine-client.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { until } from '../helpers/wait.js';
import { launchChromium, requiresChromium } from './lib/chromium.js';
import { startWebDaemon, type WebDaemon } from './lib/web-daemon.js';

/** Screenshots land here (looked at by a person, not compared). */
const SHOTS = join(process.cwd(), 'test-output', 'e2e');
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'tcpdump') || requiresChromium();
/** Addresses only ever used inside the containers' network namespaces. */
const NET = '10.199.16';

/** The topology view, the network tools and the console grid on a 3-VLAN experiment with a router. */
describe('topology, capture, qos and the console grid in the web UI', { skip, timeout: 240_000 }, () => {
  let daemon: WebDaemon;
  let client: EngineClient;
  let fs: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let pre: HostSnapshot | undefined;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const ok = async (line: string) => {
    const r = await client.call('cli.exec', line);
    if (r.errors.length) throw new Error(`${line}: ${r.errors.join('; ')}`);
    return r.output;
  };
  async function setTheme(t: 'light' | 'dark'): Promise<void> {
    if ((await page.locator('html').getAttribute('data-theme')) !== t) await page.getByTestId('theme').click();
    await page.locator(`html[data-theme="${t}"]`).waitFor();
    await page.waitForTimeout(150); // the graph restyles on the next frame
  }
  /** Where a graph node is on the page, from Cytoscape's rendered position. */
  /** The page's Cytoscape instance, as an expression (the topology view hangs its graph on its element). */
  const CY = `document.querySelector('[data-testid="topology-graph"]').__topology.instance()`;
  /** Where a graph node is on the page, from Cytoscape's rendered position. */
  async function nodePoint(id: string): Promise<{ x: number; y: number }> {
    return page.evaluate(`(() => {
      const p = ${CY}.getElementById(${JSON.stringify(id)}).renderedPosition();
      const r = document.querySelector('[data-testid="topology-graph"]').getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    })()`);
  }
  const pidOf = async (name: string) => (await client.call('vm.info')).find((c) => c.name === name)!.pid;

  before(async () => {
    pre = snapshot();
    mkdirSync(SHOTS, { recursive: true });
    fs = await busyboxRoot();
    daemon = await startWebDaemon();
    client = await EngineClient.connect(daemon.base);
    await ok('.annotate false');
    await ok(`vm config filesystem ${fs.dir}`);
    const lan = (vlan: string, n: number, host: number) => `${vlan},${NET.replace(/\d+$/, (x) => String(Number(x) + n))}.${host}/24`;
    for (const [name, net] of [
      ['web1', lan('DMZ', 0, 1)],
      ['web2', lan('DMZ', 0, 2)],
      ['db1', lan('LAN', 1, 1)],
      ['wan1', lan('WAN', 2, 1)],
      ['router', `${lan('DMZ', 0, 254)} ${lan('LAN', 1, 254)} ${lan('WAN', 2, 254)}`],
    ]) {
      await ok(`vm config net ${net}`);
      await ok(`vm launch container ${name}`);
    }
    await ok('clear vm config net');
    await ok('vm start all');
    ({ browser, close: closeBrowser } = await launchChromium());
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(daemon.url);
    await page.locator('.conn.up').waitFor();
  });

  after(async () => {
    await closeBrowser?.();
    await client?.call('vm.kill', 'all').catch(() => undefined);
    await client?.call('vm.flush').catch(() => undefined);
    client?.close();
    await daemon?.stop();
    await fs?.remove();
    if (pre) await assertNoLeaks(pre);
  });

  test('the topology of a 3-VLAN experiment with a router renders: 3 segments, 5 containers, 1 router', async () => {
    await page.getByTestId('nav-topology').click();
    const graph = page.getByTestId('topology-graph');
    await page.locator('[data-testid="topology-graph"][data-ready="true"]').waitFor();
    await until('9 nodes', async () => (await graph.getAttribute('data-nodes')) === '9');
    assert.equal(await graph.getAttribute('data-edges'), '10', "4 single NICs + the router's 3 + 3 trunks");
    assert.equal(await graph.getAttribute('data-routers'), '1');
    assert.match(await page.getByTestId('topology-counts').innerText(), /5 containers · 3 segments · 1 routers/);
    await setTheme('dark');
    await shot('topology-dark');
    await setTheme('light');
    await shot('topology-light');
  });

  test('clicking a segment shows its members and traffic; a container shows its NICs', async () => {
    const seg = await nodePoint(await segmentOf('web1'));
    await page.mouse.click(seg.x, seg.y);
    await page.getByTestId('panel-title').filter({ hasText: 'DMZ' }).waitFor();
    const members = await page.getByTestId('segment-members').innerText();
    for (const n of ['web1', 'web2', 'router']) assert.match(members, new RegExp(n));
    assert.doesNotMatch(members, /db1/);
    execFileSync('nsenter', ['-t', String(await pidOf('web1')), '-n', 'busybox', 'ping', '-c', '3', '-i', '0.2', `${NET}.2`]);
    await page
      .getByTestId('segment-traffic')
      .filter({ hasText: /\d+(\.\d+)? (KiB|B|MiB)/ })
      .waitFor();
    await shot('topology-segment-light');
    const r = await nodePoint(`vm:${(await client.call('vm.info')).find((c) => c.name === 'router')!.id}`);
    await page.mouse.click(r.x, r.y);
    await page.getByTestId('panel-title').filter({ hasText: 'router' }).waitFor();
    await page.getByTestId('nic-2').waitFor();
    assert.equal(await page.getByTestId('nic-3').count(), 0, 'the router has exactly 3 NICs');
  });

  async function segmentOf(name: string): Promise<string> {
    const n = (await client.call('vm.info')).find((c) => c.name === name)!.nics[0]!;
    return `seg:${n.bridge}:${n.vlanId}`;
  }

  test('a tap mirror shows as an arrow from the mirrored container to the monitor, and goes when cleared', async () => {
    await client.call('tap.mirror', { vm: 'web1', index: '0', vm2: 'db1', index2: '0' });
    const dst = (await client.call('tap.mirrors'))[0]!.dst;
    const edge = () =>
      page.evaluate(
        `(() => { const e = ${CY}.getElementById('mirror:${dst}'); return e.length ? [e.data('source'), e.data('target'), e.hasClass('mirror')] : null; })()`,
      );
    await until('the mirror edge', async () => (await edge()) !== null);
    const ids = new Map((await client.call('vm.info')).map((c) => [c.name, c.id]));
    assert.deepEqual(await edge(), [`vm:${ids.get('web1')}`, `vm:${ids.get('db1')}`, true]);
    await shot('topology-mirror-light');
    await client.call('tap.mirror.clear', {});
    await until('the mirror edge gone', async () => (await edge()) === null);
  });

  test('dragging a container onto another segment connects its NIC there: vm info vlan changes', async () => {
    await setTheme('dark');
    const db = (await client.call('vm.info')).find((c) => c.name === 'db1')!;
    const from = await nodePoint(`vm:${db.id}`);
    const to = await nodePoint(await segmentOf('web1'));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
    await page.mouse.up();
    const dialog = page.getByTestId('connect-dialog');
    await dialog.waitFor();
    assert.equal(await page.getByTestId('connect-command').innerText(), 'vm net connect db1 0 DMZ');
    await shot('topology-connect-dark');
    await page.getByTestId('connect-ok').click();
    await dialog.waitFor({ state: 'detached' });
    const vlan = await until('db1 on DMZ', async () => {
      const out = await ok('.columns name,vlan .filter name=db1 vm info');
      return /DMZ/.test(out) ? out : undefined;
    });
    assert.match(vlan, /db1\s+\| \[DMZ \(\d+\)\]/);
    // And the graph followed: db1's edge now goes to DMZ's segment.
    const seg = await segmentOf('web1');
    await until('db1 edge moved', () => page.evaluate(`${CY}.getElementById('nic:${db.id}:0').data('target') === ${JSON.stringify(seg)}`));
  });

  test('qos on a NIC from the panel, with the command shown; vm info qos follows', async () => {
    const web2 = (await client.call('vm.info')).find((c) => c.name === 'web2')!;
    const p = await nodePoint(`vm:${web2.id}`);
    await page.mouse.click(p.x, p.y);
    await page.getByTestId('panel-title').filter({ hasText: 'web2' }).waitFor();
    await page.getByTestId('nic-qos-0').click();
    await page.getByTestId('qos-kind-delay').click();
    await page.getByTestId('qos-value').fill('50ms');
    assert.equal(await page.getByTestId('qos-command').innerText(), 'qos add web2 0 delay 50ms');
    await shot('topology-qos-dark');
    await page.getByTestId('qos-apply').click();
    await page.getByTestId('nic-qos').filter({ hasText: 'delay 50ms' }).waitFor();
    assert.match(await ok('.columns qos .filter name=web2 vm info'), /\[0: delay 50ms\]/);
    // A refused value shows the engine's words and changes nothing.
    await page.getByTestId('nic-qos-0').click();
    await page.getByTestId('qos-kind-loss').click();
    await page.getByTestId('qos-value').fill('150');
    await page.getByTestId('qos-apply').click();
    assert.equal(await page.getByTestId('qos-error').innerText(), 'invalid loss: `150`');
    await page.getByTestId('qos-clear').click();
    await until('qos cleared', async () => /\[\]/.test(await ok('.columns qos .filter name=web2 vm info')));
  });

  test('a capture started on a NIC downloads as a pcap with the ping in it', async () => {
    const web2 = (await client.call('vm.info')).find((c) => c.name === 'web2')!;
    const p = await nodePoint(`vm:${web2.id}`);
    await page.mouse.click(p.x, p.y);
    await page.getByTestId('nic-capture-0').click();
    await page.getByTestId('nic-capture-stop-0').waitFor();
    execFileSync('nsenter', ['-t', String(await pidOf('web1')), '-n', 'busybox', 'ping', '-c', '3', '-i', '0.2', `${NET}.2`]);
    await page
      .getByTestId('nic-capture-stop-0')
      .filter({ hasText: /[1-9]\d* pkts/ })
      .waitFor();
    await setTheme('light');
    await shot('topology-capture-light');
    await page.getByTestId('nic-capture-stop-0').click();
    const id = (await client.call('capture.list')).at(-1)!.id;
    const button = page.getByTestId(`capture-download-${id}`);
    await button.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const file = join(SHOTS, 'downloaded.pcap');
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^web2-veth0-.*\.pcap$/);
    assert.equal(readFileSync(file).readUInt32LE(0), 0xa1b2c3d4, 'pcap magic');
    const text = execFileSync('tcpdump', ['-r', file, '-n'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.ok(text.split('\n').filter((l) => l.includes('ICMP echo request')).length >= 3, text);
  });

  test('the console grid tiles four consoles; Alt+arrows move the keyboard between them', async () => {
    await page.getByTestId('nav-consoles').click();
    await page.getByTestId('grid-2').click();
    const cells = page.locator('[data-testid^="grid-cell-"]');
    await until('4 cells', async () => (await cells.count()) === 4);
    await until('4 terminals', async () => (await page.locator('[data-testid="grid-terminal"] .xterm-rows').count()) === 4);
    const focused = () => page.locator('.cell.focused').getAttribute('data-testid');
    await page.getByTestId('grid-cell-0').locator('.xterm').click();
    assert.equal(await focused(), 'grid-cell-0');
    await page.keyboard.press('Alt+ArrowRight');
    assert.equal(await focused(), 'grid-cell-1');
    await page.keyboard.type('echo grid-$((20+22))\n');
    await page.getByTestId('grid-cell-1').locator('.xterm-rows', { hasText: 'grid-42' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId('grid-cell-0').locator('.xterm-rows', { hasText: 'grid-42' }).count(), 0, 'typed into the focused console only');
    await page.keyboard.press('Alt+ArrowDown');
    assert.equal(await focused(), 'grid-cell-3');
    await page.keyboard.press('Alt+Digit1');
    assert.equal(await focused(), 'grid-cell-0');
    await shot('console-grid-light');
    await setTheme('dark');
    await shot('console-grid-dark');
    await page.keyboard.press('Alt+KeyG');
    await until('9 cells', async () => (await cells.count()) === 9);
    await shot('console-grid-3x3-dark');
  });
});
