/**
 * Render benchmark: the containers view with 1000 containers updating at 1 Hz, in headless Chromium.
 * The page gets a fake window.engine (synthetic vm.info, containers.changed and stats.sample events),
 * so this measures the renderer only. Prints frame-time percentiles while idle and while scrolling,
 * the JS heap before/after, and the DOM size.  Usage: npm run bench:render [-- COUNT SECONDS]
 */
import { measureFrames, summary, withBenchPage } from './page.js';

const COUNT = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 15);

/** Runs in the page before the app: a fake engine that behaves like a busy daemon. */
const FAKE_ENGINE = `
(() => {
  const N = ${COUNT};
  const states = ['RUNNING', 'RUNNING', 'RUNNING', 'PAUSED', 'BUILDING', 'QUIT', 'ERROR'];
  const cfg = { filesystem: '/srv/fs', hostname: '', init: ['/init'], preinit: '', fifos: 0, volumes: {}, memory: 512, vcpus: 1, snapshot: true, uuid: '', net: [{ bridge: '', vlan: '100', mac: '', ip: '' }], tags: {}, backchannel: true };
  const now = Date.now();
  const infos = Array.from({ length: N }, (_, i) => ({ id: i, name: 'node' + String(i).padStart(4, '0'), namespace: 'minimega', state: states[i % states.length], type: 'container', uuid: 'u' + i, pid: 1000 + i, launchedAt: now - i * 1000, config: cfg, tags: { role: i % 3 ? 'web' : 'db' }, console: '', dir: '', nics: [{ vlan: '100', vlanId: 100, bridge: 'mega_bridge', tap: 'mega_tap' + i, mac: '', ip: '10.0.' + (i >> 8) + '.' + (i & 255), ip6: '' }] }));
  const listeners = new Map();
  const emit = (name, payload) => (listeners.get(name) || []).forEach((l) => l(payload));
  const cpu = new Float64Array(N);
  window.__bench = { events: 0 };
  window.engine = {
    async call(name) {
      if (name === 'vm.info') return infos;
      if (name === 'stats.host') return [];
      if (name === 'stats.series') return [];
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
    const t = Date.now();
    const samples = infos.map((c, i) => {
      cpu[i] += Math.random() * 200000;
      return { id: i, t, memoryBytes: (50 + 30 * Math.sin(t / 5000 + i)) * 1048576, memoryLimitBytes: 536870912, oomKills: 0, cpuUsec: cpu[i], pids: 3 + (i % 7) };
    });
    emit('stats.sample', samples);
    const changed = [];
    for (let k = 0; k < 20; k++) {
      const c = infos[(Math.random() * N) | 0];
      c.state = c.state === 'RUNNING' ? 'PAUSED' : 'RUNNING';
      changed.push({ ...c });
    }
    emit('containers.changed', changed);
    emit('stats.host', { t, memoryTotalBytes: 8e9, memoryUsedBytes: 3e9, load1: 1, cpus: 2, cpuBusy: 0.3, states: { BUILDING: 0, RUNNING: 0, PAUSED: 0, QUIT: 0, ERROR: 0 } });
    window.__bench.events++;
  }, 1000);
})();
`;

/** The table's scroller: scrolled a bit every frame while measuring. */
const VIEWPORT = '[data-testid="table-viewport"]';

function main(): Promise<void> {
  return withBenchPage(async ({ page, url, heap }) => {
    await page.addInitScript(FAKE_ENGINE);
    await page.goto(url);
    await page.locator('.viewport .row').first().waitFor();
    await page.waitForTimeout(2000);
    const h0 = await heap();
    const idle = (await page.evaluate(measureFrames(SECONDS * 1000))) as number[];
    const scrolling = (await page.evaluate(measureFrames(SECONDS * 1000, VIEWPORT))) as number[];
    const h1 = await heap();
    const events = (await page.evaluate('window.__bench.events')) as number;
    const rows = await page.locator('.viewport .row').count();
    console.log(`render bench: ${COUNT} containers, 1 Hz stats.sample for all + 20 containers.changed/s, ${events} ticks, Chromium headless (software)`);
    console.log(`  rows in the DOM: ${rows}`);
    console.log(`  idle, updating:      ${summary(idle)}`);
    console.log(`  scrolling, updating: ${summary(scrolling)}`);
    console.log(`  JS heap after load ${h0.heapMB} MB (${h0.nodes} DOM nodes), after ${2 * SECONDS} s ${h1.heapMB} MB (${h1.nodes} DOM nodes)`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
