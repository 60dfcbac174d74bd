/**
 * cc at scale (not a test), side by side in one run, base on tmpfs, busybox root:
 *  - `cc exec true` on N running containers (default 1000), once they have booted (the host quiet
 *    again): from posting the command until every response is on disk (goal < 3 s on a 2-core machine);
 *  - the same N through `vm exec all true` (our exec path without cc's bookkeeping), and the kernel's
 *    floor for entering them: `nsenter --all -t <init> true` per container, two at a time (2 cores);
 *  - the engine's memory per pending command: a cc namespace over N paused containers (no client
 *    takes anything), V8 heap before and after posting P commands (needs node --expose-gc).
 * Prints a table with the ratios and goals, then JSON. Usage:
 *   node --expose-gc dist/bench/cc.js [--runs 3] [--n 1000] [--pending 1000] [--dir /dev/shm]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { EngineClient } from '../engine/api/node/socket-client.js';
import { CcNamespace } from '../engine/cc/server.js';
import { ResponseFiles } from '../engine/cc/responses.js';
import { NodeCcStorage } from '../engine/cc/storage.js';
import type { Container, EngineContext } from '../engine/context.js';
import { socketPath } from '../engine/api/wire.js';
import { LinuxHost } from '../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../engine/rootfs/busybox.js';
import { parseCpuStat } from '../engine/stats/host-stats.js';
import { benchArgs } from './args.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(ROOT, 'bin/nanomega.js');
const args = benchArgs('node --expose-gc dist/bench/cc.js [--runs 3] [--n 1000] [--pending 1000] [--dir /dev/shm]', {
  '--runs': '3',
  '--n': '1000',
  '--pending': '1000',
  '--dir': '/dev/shm',
});
const RUNS = args.number('--runs');
const N = args.number('--n');
const PENDING = args.number('--pending');
/** tmpfs, like /run/nanomega on systemd hosts. */
const DIR = args.text('--dir');
const NS = 'minimega';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => performance.now();

async function ok(c: EngineClient, line: string): Promise<string> {
  const r = await c.call('cli.exec', line);
  if (r.errors.length) throw new Error(`${line}: ${r.errors.join('; ')}`);
  return r.output;
}

/**
 * The fraction of the host's cpu time over `ms` that did work (from /proc/stat): a hypervisor's steal
 * is left out, or a guest on a busy host would never look settled.
 */
async function busy(ms: number): Promise<number> {
  const read = () => parseCpuStat(readFileSync('/proc/stat', 'utf8'));
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return (b.busy - b.steal - (a.busy - a.steal)) / Math.max(1, b.total - a.total);
}

/**
 * Wait until the containers have booted (their init scripts and shells settled: the host below
 * 25% busy), so the first round measures cc, not 1000 inits starting at once. At most 30 s.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 60 && (await busy(500)) > 0.25; i++);
}

/** Post `cc exec true`; ms until all N responses are counted. */
async function ccRound(c: EngineClient): Promise<number> {
  const t0 = now();
  const id = await c.call('cc.command', NS, { kind: 'exec', command: ['true'], background: false, once: false });
  for (;;) {
    const cmd = (await c.call('cc.commands', NS)).find((x) => x.id === id);
    if (cmd && cmd.checkedIn.length >= N) return now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Heap bytes per command waiting in a cc namespace whose N containers are all paused. */
async function pendingHeapBytes(work: string): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.error('run with node --expose-gc to measure the heap per pending command');
    return NaN;
  }
  const containers = new Map<number, Container>();
  for (let i = 0; i < N; i++) {
    const rec = { id: i, name: `p${i}`, uuid: randomUUID(), state: 'PAUSED', launchedAt: 1, config: { backchannel: true, hostname: '' }, nics: [], tags: {} };
    containers.set(i, { rec } as unknown as Container);
  }
  const ctx = {
    containers,
    opts: { base: work },
    filesDir: join(work, 'files'),
    store: { dir: (id: number) => join(work, String(id)) },
  } as unknown as EngineContext;
  const ns = await CcNamespace.open(
    {
      ctx,
      storage: new NodeCcStorage(join(work, 'cc-heap')),
      responses: new ResponseFiles(join(work, 'files', 'r')),
      sendDirs: [],
      tag: 'bench',
      progress: () => undefined,
      changed: () => undefined,
      log: () => undefined,
    },
    'bench',
  );
  gc();
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < PENDING; i++) await ns.add({ kind: 'exec', command: ['echo', `pending ${i}`], background: false, once: false });
  gc();
  const h1 = process.memoryUsage().heapUsed;
  ns.close();
  return Math.round((h1 - h0) / PENDING);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(DIR, 'nm-ccbench-'));
  const base = join(work, 'base');
  const fs = join(work, 'busybox');
  await buildBusyboxRoot(new LinuxHost(), fs);
  const daemon = spawn(process.execPath, [ENTRY, 'serve', '--base', base], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(socketPath(base)); i++) await new Promise((r) => setTimeout(r, 50));
  const c = await EngineClient.connect(base);
  const rows: { case: string; nanomegaMs: number; reference?: string; referenceMs?: number; ratio?: number; goal: string }[] = [];
  let perPendingBytes = 0;
  try {
    await ok(c, `vm config filesystem ${fs}`);
    await ok(c, 'vm config memory 128');
    await ok(c, `vm launch container cc[0-${N - 1}]`);
    await ok(c, 'vm start all');
    const pids = (await c.call('vm.info')).map((x) => x.pid);
    await settle();
    console.error(`${N} containers running, settled`);
    const cc: number[] = [];
    const vmExec: number[] = [];
    const floor: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      cc.push(await ccRound(c));
      let t0 = now();
      const r = await c.call('vm.exec', 'all', ['true']);
      vmExec.push(now() - t0);
      if (r.length !== N || r.some((x) => x.code !== 0)) throw new Error('vm exec all true failed somewhere');
      t0 = now();
      execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${pids.join(' ')} | xargs -P2 -I{} nsenter --all -t {} true`]);
      floor.push(now() - t0);
      console.error(`run ${run + 1}: cc ${Math.round(cc[run]!)} ms, vm exec ${Math.round(vmExec[run]!)} ms, nsenter ${Math.round(floor[run]!)} ms`);
    }
    const m = median(cc);
    rows.push({
      case: `cc exec true on ${N}, until all responses are in`,
      nanomegaMs: Math.round(m),
      reference: 'vm exec all true',
      referenceMs: Math.round(median(vmExec)),
      ratio: +(m / median(vmExec)).toFixed(2),
      goal: '< 3000 ms',
    });
    rows.push({
      case: `cc exec true on ${N}`,
      nanomegaMs: Math.round(m),
      reference: 'nsenter --all ×2 (kernel floor)',
      referenceMs: Math.round(median(floor)),
      ratio: +(m / median(floor)).toFixed(2),
      goal: '≤ 2.0',
    });

    await ok(c, 'clear cc');
    perPendingBytes = await pendingHeapBytes(work);
    rows.push({ case: `engine heap per pending command (${PENDING} pending, ${N} paused clients)`, nanomegaMs: 0, goal: `${perPendingBytes} bytes` });
  } finally {
    await c.call('vm.kill', 'all').catch(() => undefined);
    await c.call('vm.flush', 'all').catch(() => undefined);
    c.close();
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await rm(work, { recursive: true, force: true });
  }
  console.log('case | nanomega ms | reference | reference ms | ratio | goal');
  for (const r of rows) console.log(`${r.case} | ${r.nanomegaMs} | ${r.reference ?? ''} | ${r.referenceMs ?? ''} | ${r.ratio ?? ''} | ${r.goal}`);
  console.log(JSON.stringify({ n: N, runs: RUNS, dir: DIR, rows, perPendingBytes }));
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});
