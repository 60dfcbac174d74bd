import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';
import { requiresChromium } from './lib/chromium.js';
import { SHOTS, useWebSuite } from './lib/web-suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'tcpdump') || requiresChromium();
/** Addresses only ever used inside the containers' network namespaces. */
const NET = '10.199.16';

/** The topology view, the network tools and the console grid on a 3-VLAN experiment with a router. */
describe('topology, capture, qos and the console grid in the web UI', { skip, timeout: 240_000 }, () => {
  const web = useWebSuite({
    setup: async ({ ok, fs }) => {
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
    },
    page: { viewport: { width: 1440, height: 900 }, acceptDownloads: true },
  });
  const { ok, shot } = web;
  async function setTheme(t: 'light' | 'dark'): Promise<void> {
    await web.setTheme(t);
    await web.page.waitForTimeout(150); // the graph restyles on the next frame
  }
  /** Where a graph node is on the page, from Cytoscape's rendered position. */
  /** The page's Cytoscape instance, as an expression (the topology view hangs its graph on its element). */
  const CY = `document.querySelector('[data-testid="topology-graph"]').__topology.instance()`;
  /** Where a graph node is on the page, from Cytoscape's rendered position. */
  async function nodePoint(id: string): Promise<{ x: number; y: number }> {
    return web.page.evaluate(`(() => {
      const p = ${CY}.getElementById(${JSON.stringify(id)}).renderedPosition();
      const r = document.querySelector('[data-testid="topology-graph"]').getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    })()`);
  }
  const pidOf = async (name: string) => (await web.client.call('vm.info')).find((c) => c.name === name)!.pid;

  test('the topology of a 3-VLAN experiment with a router renders: 3 segments, 5 containers, 1 router', async () => {
    await web.page.getByTestId('nav-topology').click();
    const graph = web.page.getByTestId('topology-graph');
    await web.page.locator('[data-testid="topology-graph"][data-ready="true"]').waitFor();
    await until('9 nodes', async () => (await graph.getAttribute('data-nodes')) === '9');
    assert.equal(await graph.getAttribute('data-edges'), '10', "4 single NICs + the router's 3 + 3 trunks");
    assert.equal(await graph.getAttribute('data-routers'), '1');
    assert.match(await web.page.getByTestId('topology-counts').innerText(), /5 containers · 3 segments · 1 routers/);
    await setTheme('dark');
    await shot('topology-dark');
    await setTheme('light');
    await shot('topology-light');
  });

  test('clicking a segment shows its members and traffic; a container shows its NICs', async () => {
    const seg = await nodePoint(await segmentOf('web1'));
    await web.page.mouse.click(seg.x, seg.y);
    await web.page.getByTestId('panel-title').filter({ hasText: 'DMZ' }).waitFor();
    const members = await web.page.getByTestId('segment-members').innerText();
    for (const n of ['web1', 'web2', 'router']) assert.match(members, new RegExp(n));
    assert.doesNotMatch(members, /db1/);
    execFileSync('nsenter', ['-t', String(await pidOf('web1')), '-n', 'busybox', 'ping', '-c', '3', '-i', '0.2', `${NET}.2`]);
    await web.page
      .getByTestId('segment-traffic')
      .filter({ hasText: /\d+(\.\d+)? (KiB|B|MiB)/ })
      .waitFor();
    await shot('topology-segment-light');
    const r = await nodePoint(`vm:${(await web.client.call('vm.info')).find((c) => c.name === 'router')!.id}`);
    await web.page.mouse.click(r.x, r.y);
    await web.page.getByTestId('panel-title').filter({ hasText: 'router' }).waitFor();
    await web.page.getByTestId('nic-2').waitFor();
    assert.equal(await web.page.getByTestId('nic-3').count(), 0, 'the router has exactly 3 NICs');
  });

  async function segmentOf(name: string): Promise<string> {
    const n = (await web.client.call('vm.info')).find((c) => c.name === name)!.nics[0]!;
    return `seg:${n.bridge}:${n.vlanId}`;
  }

  test('a tap mirror shows as an arrow from the mirrored container to the monitor, and goes when cleared', async () => {
    await web.client.call('tap.mirror', { vm: 'web1', index: '0', vm2: 'db1', index2: '0' });
    const dst = (await web.client.call('tap.mirrors'))[0]!.dst;
    const edge = () =>
      web.page.evaluate(
        `(() => { const e = ${CY}.getElementById('mirror:${dst}'); return e.length ? [e.data('source'), e.data('target'), e.hasClass('mirror')] : null; })()`,
      );
    await until('the mirror edge', async () => (await edge()) !== null);
    const ids = new Map((await web.client.call('vm.info')).map((c) => [c.name, c.id]));
    assert.deepEqual(await edge(), [`vm:${ids.get('web1')}`, `vm:${ids.get('db1')}`, true]);
    await shot('topology-mirror-light');
    await web.client.call('tap.mirror.clear', {});
    await until('the mirror edge gone', async () => (await edge()) === null);
  });

  test('dragging a container onto another segment connects its NIC there: vm info vlan changes', async () => {
    await setTheme('dark');
    const db = (await web.client.call('vm.info')).find((c) => c.name === 'db1')!;
    const from = await nodePoint(`vm:${db.id}`);
    const to = await nodePoint(await segmentOf('web1'));
    await web.page.mouse.move(from.x, from.y);
    await web.page.mouse.down();
    for (let i = 1; i <= 12; i++) await web.page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
    await web.page.mouse.up();
    const dialog = web.page.getByTestId('connect-dialog');
    await dialog.waitFor();
    assert.equal(await web.page.getByTestId('connect-command').innerText(), 'vm net connect db1 0 DMZ');
    await shot('topology-connect-dark');
    await web.page.getByTestId('connect-ok').click();
    await dialog.waitFor({ state: 'detached' });
    const vlan = await until('db1 on DMZ', async () => {
      const out = await ok('.columns name,vlan .filter name=db1 vm info');
      return /DMZ/.test(out) ? out : undefined;
    });
    assert.match(vlan, /db1\s+\| \[DMZ \(\d+\)\]/);
    // And the graph followed: db1's edge now goes to DMZ's segment.
    const seg = await segmentOf('web1');
    await until('db1 edge moved', () => web.page.evaluate(`${CY}.getElementById('nic:${db.id}:0').data('target') === ${JSON.stringify(seg)}`));
  });

  test('qos on a NIC from the panel, with the command shown; vm info qos follows', async () => {
    const web2 = (await web.client.call('vm.info')).find((c) => c.name === 'web2')!;
    const p = await nodePoint(`vm:${web2.id}`);
    await web.page.mouse.click(p.x, p.y);
    await web.page.getByTestId('panel-title').filter({ hasText: 'web2' }).waitFor();
    await web.page.getByTestId('nic-qos-0').click();
    await web.page.getByTestId('qos-kind-delay').click();
    await web.page.getByTestId('qos-value').fill('50ms');
    assert.equal(await web.page.getByTestId('qos-command').innerText(), 'qos add web2 0 delay 50ms');
    await shot('topology-qos-dark');
    await web.page.getByTestId('qos-apply').click();
    await web.page.getByTestId('nic-qos').filter({ hasText: 'delay 50ms' }).waitFor();
    assert.match(await ok('.columns qos .filter name=web2 vm info'), /\[0: delay 50ms\]/);
    // A refused value shows the engine's words and changes nothing.
    await web.page.getByTestId('nic-qos-0').click();
    await web.page.getByTestId('qos-kind-loss').click();
    await web.page.getByTestId('qos-value').fill('150');
    await web.page.getByTestId('qos-apply').click();
    assert.equal(await web.page.getByTestId('qos-error').innerText(), 'invalid loss: `150`');
    await web.page.getByTestId('qos-clear').click();
    await until('qos cleared', async () => /\[\]/.test(await ok('.columns qos .filter name=web2 vm info')));
  });

  test('a capture started on a NIC downloads as a pcap with the ping in it', async () => {
    const web2 = (await web.client.call('vm.info')).find((c) => c.name === 'web2')!;
    const p = await nodePoint(`vm:${web2.id}`);
    await web.page.mouse.click(p.x, p.y);
    await web.page.getByTestId('nic-capture-0').click();
    await web.page.getByTestId('nic-capture-stop-0').waitFor();
    execFileSync('nsenter', ['-t', String(await pidOf('web1')), '-n', 'busybox', 'ping', '-c', '3', '-i', '0.2', `${NET}.2`]);
    await web.page
      .getByTestId('nic-capture-stop-0')
      .filter({ hasText: /[1-9]\d* pkts/ })
      .waitFor();
    await setTheme('light');
    await shot('topology-capture-light');
    await web.page.getByTestId('nic-capture-stop-0').click();
    const id = (await web.client.call('capture.list')).at(-1)!.id;
    const button = web.page.getByTestId(`capture-download-${id}`);
    await button.waitFor();
    const [download] = await Promise.all([web.page.waitForEvent('download'), button.click()]);
    const file = join(SHOTS, 'downloaded.pcap');
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^web2-veth0-.*\.pcap$/);
    assert.equal(readFileSync(file).readUInt32LE(0), 0xa1b2c3d4, 'pcap magic');
    const text = execFileSync('tcpdump', ['-r', file, '-n'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.ok(text.split('\n').filter((l) => l.includes('ICMP echo request')).length >= 3, text);
  });

  test('the console grid tiles four consoles; Alt+arrows move the keyboard between them', async () => {
    await web.page.getByTestId('nav-consoles').click();
    await web.page.getByTestId('grid-2').click();
    const cells = web.page.locator('[data-testid^="grid-cell-"]');
    await until('4 cells', async () => (await cells.count()) === 4);
    await until('4 terminals', async () => (await web.page.locator('[data-testid="grid-terminal"] .xterm-rows').count()) === 4);
    const focused = () => web.page.locator('.cell.focused').getAttribute('data-testid');
    await web.page.getByTestId('grid-cell-0').locator('.xterm').click();
    assert.equal(await focused(), 'grid-cell-0');
    await web.page.keyboard.press('Alt+ArrowRight');
    assert.equal(await focused(), 'grid-cell-1');
    await web.page.keyboard.type('echo grid-$((20+22))\n');
    await web.page.getByTestId('grid-cell-1').locator('.xterm-rows', { hasText: 'grid-42' }).waitFor({ timeout: 15_000 });
    assert.equal(await web.page.getByTestId('grid-cell-0').locator('.xterm-rows', { hasText: 'grid-42' }).count(), 0, 'typed into the focused console only');
    await web.page.keyboard.press('Alt+ArrowDown');
    assert.equal(await focused(), 'grid-cell-3');
    await web.page.keyboard.press('Alt+Digit1');
    assert.equal(await focused(), 'grid-cell-0');
    await shot('console-grid-light');
    await setTheme('dark');
    await shot('console-grid-dark');
    await web.page.keyboard.press('Alt+KeyG');
    await until('9 cells', async () => (await cells.count()) === 9);
    await shot('console-grid-3x3-dark');
  });
});
