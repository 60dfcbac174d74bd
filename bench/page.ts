/**
 * What the renderer benches share: the app served with no daemon behind it (the page brings its own
 * fake window.engine), one headless Chromium page with a CDP session for heap figures, the script that
 * collects frame intervals in the page, and their summary line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serveWeb } from '../web/server.js';
import { launchChromium } from '../test/e2e/lib/chromium.js';

export interface BenchPage {
  page: Page;
  /** The app's URL (with its token). */
  url: string;
  /** JS heap in use after a forced GC (MB, one decimal) and the DOM's node count. */
  heap(): Promise<{ heapMB: string; nodes: number | undefined }>;
}

/** Run `bench` on a fresh 1600×1000 page of the app; the browser, server and temp dir go afterwards. */
export async function withBenchPage(bench: (b: BenchPage) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nm-bench-'));
  const web = await serveWeb({ socket: join(dir, 'none.sock'), listen: '127.0.0.1:0' });
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
      return { heapMB: (m.JSHeapUsedSize! / 1048576).toFixed(1), nodes: m.Nodes };
    };
    await bench({ page, url: web.url, heap });
  } finally {
    await close();
    await web.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A page script resolving to the requestAnimationFrame intervals over `ms`; with `scroll`, a selector,
 * that element scrolls 45 px a frame, turning at either end.
 */
export const measureFrames = (ms: number, scroll?: string) => `
new Promise((resolve) => {
  const vp = ${scroll ? `document.querySelector(${JSON.stringify(scroll)})` : 'null'};
  const deltas = [];
  let last = performance.now();
  const end = last + ${ms};
  let dir = 1;
  const tick = (t) => {
    deltas.push(t - last);
    last = t;
    if (vp) {
      vp.scrollTop += dir * 45;
      if (vp.scrollTop + vp.clientHeight >= vp.scrollHeight - 2 || vp.scrollTop <= 0) dir = -dir;
    }
    if (t < end) requestAnimationFrame(tick);
    else resolve(deltas);
  };
  requestAnimationFrame(tick);
})`;

/** Frame count, fps, frame-time percentiles and the share of missed frames. */
export function summary(deltas: number[]): string {
  const s = [...deltas].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
  const over = (ms: number) => ((100 * s.filter((d) => d > ms).length) / s.length).toFixed(1);
  const fps = (1000 * s.length) / deltas.reduce((a, b) => a + b, 0);
  return `${s.length} frames, ${fps.toFixed(1)} fps; frame ms p50 ${p(0.5)} p95 ${p(0.95)} p99 ${p(0.99)} max ${s[s.length - 1]!.toFixed(1)}; missed (>20 ms) ${over(20)}%, >50 ms ${over(50)}%`;
}
