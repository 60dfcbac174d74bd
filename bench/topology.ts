/**
 * Topology benchmark: the topology view with COUNT containers on VLANS VLANs (every 25th container a
 * router on three of them), 20 containers changing state every second, in headless Chromium. The page
 * gets a fake window.engine (synthetic vm.info and containers.changed), so this measures the
 * renderer only: time to first layout, frame times while idle-and-updating and while panning and
 * zooming, JS heap. Measured as bench/render.ts measures the table.
 * Usage: npm run bench:topology [-- COUNT VLANS SECONDS [SHOT.png]]
 */
import { measureFrames, summary, withBenchPage } from './page.js';

const COUNT = Number(process.argv[2] ?? 1000);
const VLANS = Number(process.argv[3] ?? 50);
const SECONDS = Number(process.argv[4] ?? 10);
const SHOT = process.argv[5];

/** Runs in the page before the app: a fake engine with the experiment and a stream of state changes. */
const FAKE_ENGINE = `
(() => {
  const N = ${COUNT}, V = ${VLANS};
  const states = ['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'PAUSED', 'BUILDING', 'QUIT'];
  const cfg = { filesystem: '/srv/fs', hostname: '', init: ['/init'], preinit: '', fifos: 0, volumes: {}, memory: 512, vcpus: 1, snapshot: true, uuid: '', net: [], tags: {}, backchannel: true };
  const nic = (v, i, k) => ({ vlan: 'VLAN' + v, vlanId: 100 + v, bridge: 'mega_bridge', tap: 'mega_tap' + i + '_' + k, mac: '', ip: '10.' + v + '.' + (i >> 8) + '.' + (i & 255), ip6: '' });
  const infos = Array.from({ length: N }, (_, i) => {
    const v = i % V;
    const nics = i % 25 === 0 ? [nic(v, i, 0), nic((v + 1) % V, i, 1), nic((v + 7) % V, i, 2)] : [nic(v, i, 0)];
    return { id: i, name: 'node' + String(i).padStart(4, '0'), state: states[i % states.length], type: 'container', uuid: 'u' + i, pid: 1000 + i, launchedAt: Date.now(), config: cfg, tags: {}, console: '', dir: '', nics, qos: i % 40 === 1 ? [{ index: 0, delay: '100ms' }] : [] };
  });
  const listeners = new Map();
  const emit = (name, payload) => (listeners.get(name) || []).forEach((l) => l(payload));
  let layout = null;
  window.__bench = { events: 0 };
  window.engine = {
    async call(name, ...args) {
      if (name === 'vm.info') return infos;
      if (name === 'topology.layout.get') return layout;
      if (name === 'topology.layout.set') { layout = args[1]; return undefined; }
      if (name === 'capture.list' || name === 'tap.list' || name === 'dnsmasq.list' || name === 'stats.host' || name === 'stats.series' || name === 'net.counters') return [];
      if (name === 'config.get') return cfg;
      return undefined;
    },
    on(name, l) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(l);
      return () => listeners.get(name).delete(l);
    },
  };
  setInterval(() => {
    const changed = [];
    for (let k = 0; k < 20; k++) {
      const c = infos[(Math.random() * N) | 0];
      c.state = c.state === 'RUNNING' ? 'PAUSED' : 'RUNNING';
      changed.push({ ...c });
    }
    emit('containers.changed', changed);
    window.__bench.events++;
  }, 1000);
})();
`;

function main(): Promise<void> {
  return withBenchPage(async ({ page, url, heap }) => {
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.addInitScript(FAKE_ENGINE);
    await page.addInitScript(`localStorage.setItem('nanomega.theme', ${JSON.stringify(process.env.THEME ?? 'dark')})`);
    await page.goto(url);
    await page.getByTestId('nav-topology').waitFor();
    const t0 = Date.now();
    await page.getByTestId('nav-topology').click();
    await page.locator('[data-testid="topology-graph"][data-ready="true"]').waitFor({ timeout: 120_000 });
    const firstLayout = Date.now() - t0;
    await page.waitForTimeout(1500);
    if (SHOT) await page.screenshot({ path: SHOT });
    const h0 = (await heap()).heapMB;
    const box = (await page.getByTestId('topology-graph').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    /** Frame times while `drive` sends real input (mouse drags, wheel turns) as a user would. */
    const during = async (drive: (until: number) => Promise<void>) => {
      const frames = page.evaluate(measureFrames(SECONDS * 1000)) as Promise<number[]>;
      await drive(Date.now() + SECONDS * 1000);
      return frames;
    };
    const view = () =>
      page.evaluate(
        `(() => { const cy = document.querySelector('[data-testid="topology-graph"]').__topology.instance(); return { pan: cy.pan(), zoom: cy.zoom() }; })()`,
      ) as Promise<{ pan: { x: number; y: number }; zoom: number }>;
    const idle = await during(async (until) => void (await page.waitForTimeout(until - Date.now())));
    const v0 = await view();
    const panning = await during(async (until) => {
      // Drags that start on empty canvas pan the graph: a slow circle with the button held.
      await page.mouse.move(cx, box.y + 10);
      await page.mouse.down();
      for (let k = 0; Date.now() < until; k++) await page.mouse.move(cx + 150 * Math.sin(k / 15), box.y + 10 + 120 * (1 - Math.cos(k / 15)));
      await page.mouse.up();
    });
    const v1 = await view();
    const zooming = await during(async (until) => {
      await page.mouse.move(cx, cy);
      for (let k = 0; Date.now() < until; k++) {
        await page.mouse.wheel(0, (k % 40 < 20 ? -1 : 1) * 60);
        await page.waitForTimeout(16);
      }
    });
    const v2 = await view();
    // The input really moved the view (a drag that started on a node would have moved the node instead).
    if (v1.pan.x === v0.pan.x && v1.pan.y === v0.pan.y) throw new Error('the drag did not pan the graph');
    if (v2.zoom === v1.zoom) throw new Error('the wheel did not zoom the graph');
    const h1 = (await heap()).heapMB;
    const nodes = await page.getByTestId('topology-graph').getAttribute('data-nodes');
    const edges = await page.getByTestId('topology-graph').getAttribute('data-edges');
    const events = (await page.evaluate('window.__bench.events')) as number;
    console.log(
      `topology bench: ${COUNT} containers on ${VLANS} VLANs (${nodes} nodes, ${edges} edges), 20 containers.changed/s, ${events} ticks, Chromium headless (software)`,
    );
    console.log(`  view open → graph laid out and drawn: ${firstLayout} ms`);
    console.log(`  idle, updating:             ${summary(idle)}`);
    console.log(`  dragging (pan), updating:   ${summary(panning)}`);
    console.log(`  wheel zooming, updating:    ${summary(zooming)}`);
    console.log(`  JS heap after layout ${h0} MB, after ${3 * SECONDS} s ${h1} MB`);
  });
}

await main();
