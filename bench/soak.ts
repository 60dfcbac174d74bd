/**
 * Soak (not a timing benchmark): N containers through C cycles of launch → start → stop → start →
 * kill → flush, each with one NIC, with API console sessions attached to some of them and a client
 * watching every container's stats, against one long-lived daemon. After every cycle it reports the
 * daemon's RSS and open descriptors and the kernel objects left over (test/helpers/leaks.ts), so
 * growth shows as a trend. The base is a tmpfs of its own (like /run). Usage:
 *   node dist/bench/soak.js [--containers 1000] [--cycles 20] [--consoles 0.1] [--dir /dev/shm]
 * test/integration/soak.test.ts runs a short version (100 × 3) that fails on any leak or death.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineClient } from '../engine/api/node/socket-client.js';
import type { ContainerInfo } from '../engine/api/types.js';
import { buildBusyboxRoot } from '../engine/rootfs/busybox.js';
import { LinuxHost } from '../engine/host/linux-host.js';
import { startDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../test/helpers/leaks.js';
import { benchArgs } from './args.js';

export interface SoakOptions {
  containers: number;
  cycles: number;
  /** Share of the containers with an API console session attached while they run. */
  consoles: number;
  /** A directory on which a tmpfs of the soak's own is mounted for the base. */
  dir: string;
  /** Called after each cycle. */
  onCycle?: (r: CycleReport) => void;
}

export interface CycleReport {
  cycle: number;
  /** Milliseconds per phase. */
  ms: Record<'launch' | 'start' | 'stop' | 'restart' | 'kill' | 'flush', number>;
  daemonRssKiB: number;
  daemonFds: number;
  /** stats.sample events the watching client received during the cycle. */
  statsSamples: number;
  /** console.data events the console sessions received during the cycle. */
  consoleBytes: number;
  /** Kernel objects present after the flush that were not there before the first cycle. */
  leaked: Partial<HostSnapshot>;
  /** Containers that did not reach the state a phase should give them, by phase. */
  wrongStates: string[];
}

export interface SoakResult {
  cycles: CycleReport[];
  /** Growth of RSS and fds from cycle 2 to the largest later value, in percent. */
  rssGrowthPct: number;
  fdGrowthPct: number;
  /** The daemon was alive at the end. */
  daemonAlive: boolean;
}

/** The daemon's stats sampling period (engine/stats/sampler.ts: 1 Hz) plus a margin. */
const SAMPLE_PERIOD_MS = 1_200;

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/**
 * The stats sampler keeps cgroup files open and closes those of gone containers on its next tick:
 * measure once the daemon's descriptor count has stopped changing (two reads a sampling period
 * apart agree), at most a few seconds.
 */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last = fdCount(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, SAMPLE_PERIOD_MS));
    const now = fdCount(pid);
    if (now === last) return;
    last = now;
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return Math.round(performance.now() - t0);
}

/** Names whose state is not `want`. */
function notIn(list: ContainerInfo[], want: string, phase: string): string[] {
  return list.filter((c) => c.state !== want).map((c) => `${phase}: ${c.name} ${c.state}${c.tags.error ? ` (${c.tags.error})` : ''}`);
}

function growth(xs: number[]): number {
  if (xs.length < 3) return 0;
  const base = xs[1]!;
  return Math.round(((Math.max(...xs.slice(1)) - base) / base) * 1000) / 10;
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const mnt = mkdtempSync(join(opts.dir, 'nm-soak-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0711', 'nm-soak', mnt]);
  let d: TestDaemon | undefined;
  let watcher: EngineClient | undefined;
  const reports: CycleReport[] = [];
  try {
    const fs = join(mnt, 'rootfs');
    await buildBusyboxRoot(new LinuxHost(), fs);
    const pre = snapshot();
    d = await startDaemon({ base: join(mnt, 'base') });
    const daemon = d;
    const pid = daemon.proc.pid!;
    await daemon.ok(`vm config filesystem ${fs}`);
    await daemon.ok('vm config net SOAK');
    // The GUI's view: every container's stats samples.
    watcher = await EngineClient.connect(daemon.base);
    let samples = 0;
    let consoleBytes = 0;
    watcher.on('stats.sample', () => void samples++);
    watcher.on('console.data', ({ data }) => void (consoleBytes += data.length));
    await watcher.call('stats.watch', null);
    const range = `soak[0-${opts.containers - 1}]`;
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      samples = 0;
      consoleBytes = 0;
      const wrong: string[] = [];
      const ms = {} as CycleReport['ms'];
      const info = () => daemon.client.call('vm.info');
      ms.launch = await timed(() => daemon.ok(`vm launch container ${range}`));
      wrong.push(...notIn(await info(), 'BUILDING', 'launch'));
      ms.start = await timed(() => daemon.ok('vm start all'));
      wrong.push(...notIn(await info(), 'RUNNING', 'start'));
      // Console sessions on every k-th container, open across stop and start until the kill.
      const list = await info();
      const every = opts.consoles > 0 ? Math.max(1, Math.round(1 / opts.consoles)) : 0;
      for (const c of every ? list.filter((_, i) => i % every === 0) : []) {
        const s = await watcher.call('console.open', c.id);
        await watcher.call('console.input', s.session, `echo cycle-${cycle}-${c.name}\n`);
      }
      ms.stop = await timed(() => daemon.ok('vm stop all'));
      wrong.push(...notIn(await info(), 'PAUSED', 'stop'));
      ms.restart = await timed(() => daemon.ok('vm start all'));
      wrong.push(...notIn(await info(), 'RUNNING', 'restart'));
      // Stats run while the containers do: wait for this cycle's first sample (1 Hz sampler).
      const statsBy = Date.now() + 5 * SAMPLE_PERIOD_MS;
      while (samples === 0 && Date.now() < statsBy) await new Promise((r) => setTimeout(r, 50));
      if (samples === 0) wrong.push('stats: no sample while the containers ran');
      ms.kill = await timed(() => daemon.ok('vm kill all'));
      wrong.push(...notIn(await info(), 'QUIT', 'kill'));
      ms.flush = await timed(() => daemon.ok('vm flush'));
      if ((await info()).length !== 0) wrong.push('flush: containers left');
      await settled(pid);
      const r: CycleReport = {
        cycle,
        ms,
        daemonRssKiB: rssKiB(pid),
        daemonFds: fdCount(pid),
        statsSamples: samples,
        consoleBytes,
        leaked: leaked(pre, snapshot(), { running: [pid] }),
        wrongStates: wrong.slice(0, 20),
      };
      reports.push(r);
      opts.onCycle?.(r);
    }
    const daemonAlive = daemon.proc.exitCode === null && daemon.proc.signalCode === null;
    return {
      cycles: reports,
      rssGrowthPct: growth(reports.map((r) => r.daemonRssKiB)),
      fdGrowthPct: growth(reports.map((r) => r.daemonFds)),
      daemonAlive,
    };
  } finally {
    watcher?.close();
    await d?.dispose();
    execFileSync('umount', [mnt]);
    rmdirSync(mnt);
  }
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/soak.js [--containers 1000] [--cycles 20] [--consoles 0.1] [--dir /dev/shm]', {
    '--containers': '1000',
    '--cycles': '20',
    '--consoles': '0.1',
    '--dir': '/dev/shm',
  });
  const opts: SoakOptions = {
    containers: args.number('--containers'),
    cycles: args.number('--cycles'),
    consoles: args.number('--consoles'),
    dir: args.text('--dir'),
    onCycle: (r) => {
      const leaks =
        Object.entries(r.leaked)
          .map(([k, v]) => `${k}:${v!.length}`)
          .join(' ') || 'none';
      console.log(
        `cycle ${String(r.cycle).padStart(2)}  rss ${r.daemonRssKiB} KiB  fds ${r.daemonFds}  ` +
          `launch ${r.ms.launch} start ${r.ms.start} stop ${r.ms.stop} start ${r.ms.restart} kill ${r.ms.kill} flush ${r.ms.flush} ms  ` +
          `stats ${r.statsSamples}  console ${r.consoleBytes} B  leaked ${leaks}  wrong ${r.wrongStates.length}`,
      );
      for (const w of r.wrongStates) console.log(`  ${w}`);
    },
  };
  console.log(
    `soak: ${opts.containers} containers × ${opts.cycles} cycles, one NIC each, consoles on ${opts.consoles * 100}%, base on a tmpfs under ${opts.dir}`,
  );
  const res = await runSoak(opts);
  console.log(`daemon RSS growth after cycle 2: ${res.rssGrowthPct} %; fd growth: ${res.fdGrowthPct} %; daemon alive: ${res.daemonAlive}`);
  console.log(JSON.stringify(res));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
