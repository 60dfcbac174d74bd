/**
 * Launch at scale through the CLI (not a test), side by side in one run, base on tmpfs, busybox root:
 *  - 100 containers launched+started (`nanomega -e "vm launch container …"`, `-e "vm start all"`, until
 *    every init runs) against LXC's time for the same 100 (`lxc-start -d` ×100, two at a time, same
 *    root as an overlay) and against the kernel floor (100 × `unshare` of the same namespaces + exec of
 *    busybox `true`, two at a time); with and without one NIC each;
 *  - 1000 launched+started, with and without one NIC, against the kernel floor for 1000, with the CPU time
 *    the machine and the daemon spent, the floor's beside it; `vm info` of 1000; kill+flush of 1000,
 *    against the kernel's own kill+flush of 1000 like containers without a daemon (bench/kill-floor.c);
 *  - host memory (PSS) per BUILDING container;
 *  - the CPU time the hypervisor took from this guest (steal) during ours and the floor's rounds, and over
 *    the whole run: on a shared host it lengthens every wall time here, the references' too;
 *  - with --big-runs N, the 1000-container rows (ours and their floors) are medians of N interleaved rounds;
 *  - with --lxc-big, LXC's time for the same 1000 (one run each, with and without a NIC), so that the
 *    1000-container rows have a reference run beside them too.
 * Prints a table with the ratios and goals, then JSON. Usage:
 *   node dist/bench/launch-scale.js [--runs 3] [--big-runs 1] [--big 1000] [--small 100] [--dir /dev/shm] [--no-lxc] [--lxc-big]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../engine/api/node/socket-client.js';
import { socketPath } from '../engine/api/wire.js';
import { machineCpuMs, median, processCpuMs, pssKiB, shimPids, waitAllInit } from './procfs.js';
import { LinuxHost } from '../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../engine/rootfs/busybox.js';
import { cgroupPaths, detectLayout, distinctDirs } from '../engine/cgroup/cgroup.js';
import { benchArgs } from './args.js';
import { compileBenchC, timeProcess } from './native.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCHER = join(ROOT, 'bin/nanomega');
const ENTRY = join(ROOT, 'bin/nanomega.js');
const args = benchArgs(
  'node dist/bench/launch-scale.js [--runs 3] [--big-runs 1] [--big 1000] [--small 100] [--dir /dev/shm] [--no-lxc] [--lxc-big]',
  { '--runs': '3', '--big-runs': '1', '--big': '1000', '--small': '100', '--dir': '/dev/shm' },
  ['--no-lxc', '--lxc-big'],
);
const RUNS = args.number('--runs');
/** Rounds of the big rows (ours, then the launch and kill floors), each figure their median. */
const BIG_RUNS = args.number('--big-runs', 1);
const SMALL = args.number('--small');
const BIG = args.number('--big');
/** tmpfs, like /run/nanomega on systemd hosts. */
const DIR = args.text('--dir');
const LXC = !args.flag('--no-lxc') && spawnSync('lxc-start', ['--version']).status === 0;
/** LXC at the big size as well: a thousand lxc-start processes take a while, so only when asked. */
const LXC_BIG = LXC && args.flag('--lxc-big');
/** The bridge the LXC NIC variant uses (ours is made by the engine). */
const LXC_BRIDGE = 'nmbenchbr0';
/** The machine's cores, for the CPU rows. */
const CORES = availableParallelism();

function sh(script: string): void {
  execFileSync('/bin/sh', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** What one launch+start of n measured (Nanomega.launchStart). */
interface LaunchFigures {
  ms: number;
  launchMs: number;
  buildingKiB: number;
  cpuMs: number;
  stealMs: number;
  daemonCpuMs: number;
}

class Nanomega {
  private serial = 0;
  constructor(
    readonly base: string,
    readonly client: EngineClient,
    private readonly daemonPid: number,
  ) {}

  /** One command through the CLI users run (the native client). */
  cli(line: string): string {
    const r = spawnSync(LAUNCHER, ['--base', this.base, '-e', line], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`nanomega -e ${line}: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Launch and start n through the CLI, until every init runs: ms, PSS KiB per BUILDING container, and
   * the CPU time the machine and the daemon spent in the two timed parts (the harness's own query
   * between them left out; its polls for init while the containers start stay in, at ~a tenth of a core),
   * and the time the hypervisor took from the machine's cores meanwhile.
   */
  async launchStart(n: number, net: boolean): Promise<LaunchFigures> {
    this.cli(net ? 'vm config net BENCH' : 'clear vm config net');
    const prefix = `b${this.serial++}x`;
    const before = new Set(shimPids());
    const cpu0 = machineCpuMs();
    const daemon0 = processCpuMs(this.daemonPid);
    const t0 = performance.now();
    this.cli(`vm launch container ${prefix}[0-${n - 1}]`);
    const t1 = performance.now();
    const cpu1 = machineCpuMs();
    const daemon1 = processCpuMs(this.daemonPid);
    const building = shimPids().filter((p) => !before.has(p));
    const kib = building.reduce((s, p) => s + pssKiB(p), 0) / n;
    // init's pid is known once BUILDING (the frozen process execs in place): the harness's query of
    // a thousand rows stays out of the timed part.
    const info = await this.client.call('vm.info');
    const pids = info.filter((c) => c.name.startsWith(prefix)).map((c) => c.pid);
    if (pids.length !== n || pids.some((p) => !(p > 0))) throw new Error(`launch of ${n}: ${pids.filter((p) => p > 0).length} BUILDING inits`);
    const cpu2 = machineCpuMs();
    const daemon2 = processCpuMs(this.daemonPid);
    const t2 = performance.now();
    this.cli('vm start all');
    await waitAllInit(pids);
    const ms = t1 - t0 + (performance.now() - t2);
    const cpu3 = machineCpuMs();
    const cpuMs = cpu1.workMs - cpu0.workMs + (cpu3.workMs - cpu2.workMs);
    const stealMs = cpu1.stealMs - cpu0.stealMs + (cpu3.stealMs - cpu2.stealMs);
    const daemonCpuMs = daemon1 - daemon0 + (processCpuMs(this.daemonPid) - daemon2);
    return { ms, launchMs: t1 - t0, buildingKiB: kib, cpuMs, stealMs, daemonCpuMs };
  }

  killFlush(): number {
    const t0 = performance.now();
    this.cli('vm kill all');
    this.cli('vm flush');
    return performance.now() - t0;
  }
}

/** LXC containers c0…c(n-1) over the same busybox root (overlay), configs written once, untimed. */
function lxcPrepare(work: string, fs: string, n: number, net: boolean): string {
  const dir = join(work, net ? 'lxc-net' : 'lxc');
  for (let i = 0; i < n; i++) {
    const c = join(dir, `c${i}`);
    mkdirSync(join(c, 'delta'), { recursive: true });
    writeFileSync(
      join(c, 'config'),
      [
        'lxc.include = /usr/share/lxc/config/common.conf',
        `lxc.uts.name = c${i}`,
        `lxc.rootfs.path = overlay:${fs}:${join(c, 'delta')}`,
        'lxc.init.cmd = /init',
        // One pty each, the console, as ours have (common.conf adds 4 ttys: 1000 such containers
        // run out of the kernel's default 4096 ptys).
        'lxc.tty.max = 0',
        'lxc.apparmor.profile = unconfined',
        'lxc.cgroup2.memory.max = 128M',
        ...(net ? ['lxc.net.0.type = veth', `lxc.net.0.link = ${LXC_BRIDGE}`, 'lxc.net.0.flags = up'] : ['lxc.net.0.type = empty']),
      ].join('\n') + '\n',
    );
  }
  return dir;
}

function lxcRun(dir: string, n: number): number {
  const t0 = performance.now();
  sh(`seq 0 ${n - 1} | xargs -P2 -I{} lxc-start -d -n c{} -P ${dir}`);
  const ms = performance.now() - t0;
  sh(`seq 0 ${n - 1} | xargs -P2 -I{} lxc-stop -k -n c{} -P ${dir}`);
  sh(`for d in ${dir}/c*/delta; do rm -rf "$d"; mkdir "$d"; done`);
  return ms;
}

/**
 * The kernel's own kill+flush of n containers like ours, with no daemon (bench/kill-floor.c: the same
 * namespaces, cgroup directories, mounts and two processes each; SIGKILL, reap, rmdir, detach the
 * layers, remove the instance directories): ms until everything is gone.
 */
async function killFloor(bin: string, work: string, n: number): Promise<number> {
  const parents = distinctDirs(cgroupPaths(await detectLayout(new LinuxHost()), 'floor')).map((d) => dirname(d));
  const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((b) => existsSync(b))!;
  const out = execFileSync(bin, [String(n), join(work, 'kill-floor-work'), busybox, ...parents], { encoding: 'utf8' });
  return (JSON.parse(out) as { flushed: number }).flushed;
}

/** What one run of the launch floor measured: wall and machine CPU ms, and the hypervisor's steal meanwhile. */
interface FloorFigures {
  ms: number;
  cpuMs: number;
  stealMs: number;
}

/** The kernel's own cost: the same namespaces, and exec of busybox true in them, two at a time. */
function floorRun(n: number): FloorFigures {
  const cpu0 = machineCpuMs();
  const t0 = performance.now();
  sh(`seq ${n} | xargs -P2 -I{} unshare --mount --uts --ipc --net --pid --cgroup --fork busybox true`);
  const ms = performance.now() - t0;
  const cpu1 = machineCpuMs();
  return { ms, cpuMs: cpu1.workMs - cpu0.workMs, stealMs: cpu1.stealMs - cpu0.stealMs };
}

interface Row {
  case: string;
  nanomegaMs: number;
  referenceMs?: number;
  reference?: string;
  ratio?: number;
  goal: string;
}

/** A row's reference columns: its name, its time and ours over it. */
function against(reference: string, ms: number, referenceMs: number): Pick<Row, 'reference' | 'referenceMs' | 'ratio'> {
  return { reference, referenceMs: Math.round(referenceMs), ratio: +(ms / referenceMs).toFixed(2) };
}

/**
 * The hypervisor's steal during our rounds and, where there is one, the floor's: not in the CPU rows (no
 * work of ours or the floor's), but wall time both lose, so a round it took more from than the others
 * is longer for it.
 */
function stealRow(nic: string, oursMs: number, floorMs?: number): Row {
  const row: Row = { case: `  taken by the hypervisor (steal)${nic}`, nanomegaMs: Math.round(oursMs), goal: '' };
  return floorMs === undefined ? row : { ...row, reference: 'kernel floor, steal', referenceMs: Math.round(floorMs) };
}

/** One round of the big rows: ours, then (without NICs) `vm info` and the launch and kill floors. */
interface BigRound {
  ours: LaunchFigures;
  killFlushMs: number;
  /** Without NICs only: five `vm info`s of the BUILDING thousand, and the floors. */
  infoMs: number[];
  floor?: FloorFigures & { killMs: number };
}

/** The bench's C programs, compiled once a run (bench/native.ts). */
interface Programs {
  /** Times `vm info` as a shell runs it, the whole process (as bench/cli.ts times the CLI). */
  harness: string;
  killFloor: string;
}

async function bigRound(nm: Nanomega, work: string, net: boolean, programs: Programs): Promise<BigRound> {
  const ours = await nm.launchStart(BIG, net);
  const infoMs: number[] = [];
  for (let i = 0; !net && i < 5; i++) infoMs.push(timeProcess(programs.harness, 'vm info', [LAUNCHER, '--base', nm.base, '-e', 'vm info']));
  const killFlushMs = nm.killFlush();
  if (net) return { ours, killFlushMs, infoMs };
  const f = floorRun(BIG);
  return { ours, killFlushMs, infoMs, floor: { ...f, killMs: await killFloor(programs.killFloor, work, BIG) } };
}

async function main(): Promise<void> {
  const run0 = { t: performance.now(), ...machineCpuMs() };
  const work = mkdtempSync(join(DIR, 'nm-scale-'));
  const base = join(work, 'base');
  const fs = join(work, 'busybox');
  await buildBusyboxRoot(new LinuxHost(), fs);
  const programs: Programs = { harness: compileBenchC(work, 'cli-harness', { static: true }), killFloor: compileBenchC(work, 'kill-floor') };
  const daemon = spawn(process.execPath, [ENTRY, 'serve', '--base', base], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(socketPath(base)); i++) await new Promise((r) => setTimeout(r, 50));
  const nm = new Nanomega(base, await EngineClient.connect(base), daemon.pid!);
  const rows: Row[] = [];
  let lxcBridge = false;
  try {
    nm.cli(`vm config filesystem ${fs}`);
    nm.cli('vm config memory 128');
    if (LXC) {
      sh(`ip link add ${LXC_BRIDGE} type bridge && ip link set ${LXC_BRIDGE} up`);
      lxcBridge = true;
    }
    for (const net of [false, true]) {
      const lxcDir = LXC ? lxcPrepare(work, fs, SMALL, net) : '';
      const ours: LaunchFigures[] = [];
      const lxc: number[] = [];
      const floor: FloorFigures[] = [];
      for (let run = 0; run < RUNS; run++) {
        ours.push(await nm.launchStart(SMALL, net));
        nm.killFlush();
        if (LXC) lxc.push(lxcRun(lxcDir, SMALL));
        floor.push(floorRun(SMALL));
      }
      const m = median(ours.map((r) => r.ms));
      const nic = net ? ', one NIC each' : '';
      const what = `${SMALL} launched+started${nic}`;
      if (LXC) rows.push({ case: what, nanomegaMs: Math.round(m), ...against('LXC lxc-start -d ×2', m, median(lxc)), goal: '≤ 1.0 (0.7)' });
      rows.push({ case: what, nanomegaMs: Math.round(m), ...against('kernel floor (unshare + exec)', m, median(floor.map((r) => r.ms))), goal: '≤ 2.0' });
      rows.push(stealRow(nic, median(ours.map((r) => r.stealMs)), median(floor.map((r) => r.stealMs))));
      console.error(`${what} done`);
    }
    for (const net of [false, true]) {
      const rounds: BigRound[] = [];
      for (let run = 0; run < BIG_RUNS; run++) rounds.push(await bigRound(nm, work, net, programs));
      const med = (figure: (r: BigRound) => number) => median(rounds.map(figure));
      const ms = med((r) => r.ours.ms);
      const cpuMs = med((r) => r.ours.cpuMs);
      const killFlushMs = med((r) => r.killFlushMs);
      const nic = net ? ', one NIC each' : '';
      const of = BIG_RUNS > 1 ? `, median of ${BIG_RUNS}` : '';
      const bigRow: Row = { case: `${BIG} launched+started${nic}${of}`, nanomegaMs: Math.round(ms), goal: '≤ 3000 ms' };
      rows.push(bigRow);
      rows.push({ case: `  of which vm launch${nic}`, nanomegaMs: Math.round(med((r) => r.ours.launchMs)), goal: '' });
      // Where the time goes: on a machine this size the launch of a thousand is bound by CPU, so the
      // floor's CPU for the same count says how far the wall time can fall.
      const cpuRow: Row = { case: `  CPU time, all ${CORES} cores${nic}`, nanomegaMs: Math.round(cpuMs), goal: '' };
      rows.push(cpuRow);
      rows.push({ case: `  of which the daemon${nic}`, nanomegaMs: Math.round(med((r) => r.ours.daemonCpuMs)), goal: '' });
      const floorStealMs = net ? undefined : med((r) => r.floor!.stealMs);
      rows.push(
        stealRow(
          nic,
          med((r) => r.ours.stealMs),
          floorStealMs,
        ),
      );
      const killRow: Row = { case: `kill+flush of ${BIG}${nic}${of}`, nanomegaMs: Math.round(killFlushMs), goal: '≤ 1000 ms' };
      if (!net) {
        const floorMs = med((r) => r.floor!.ms);
        const floorCpuMs = med((r) => r.floor!.cpuMs);
        const killFloorMs = med((r) => r.floor!.killMs);
        Object.assign(bigRow, against('kernel floor (unshare + exec)', ms, floorMs));
        Object.assign(cpuRow, against('kernel floor, CPU time', cpuMs, floorCpuMs));
        rows.push({ case: 'memory per BUILDING container (PSS KiB)', nanomegaMs: Math.round(med((r) => r.ours.buildingKiB)), goal: '≤ 200 KiB' });
        const infos = rounds.flatMap((r) => r.infoMs);
        rows.push({ case: `vm info of ${BIG} (nanomega -e, median of ${infos.length})`, nanomegaMs: Math.round(median(infos)), goal: '≤ 100 ms' });
        Object.assign(killRow, against('kernel floor (bench/kill-floor.c)', killFlushMs, killFloorMs));
      }
      rows.push(killRow);
      if (LXC_BIG) {
        // After ours are gone: the machine holds one experiment at a time.
        const lxcMs = lxcRun(lxcPrepare(work, fs, BIG, net), BIG);
        const lxcRow: Row = { ...bigRow, ...against('LXC lxc-start -d ×2', ms, lxcMs) };
        // Beside the floor's row without NICs, as the 100-container rows are; the only reference with them.
        if (bigRow.reference) rows.splice(rows.indexOf(bigRow), 0, lxcRow);
        else Object.assign(bigRow, lxcRow);
      }
      console.error(`${BIG}${net ? ' with NICs' : ''} done`);
    }
  } finally {
    await nm.client.call('vm.kill', 'all').catch(() => undefined);
    await nm.client.call('vm.flush').catch(() => undefined);
    nm.client.close();
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    if (lxcBridge) sh(`ip link del ${LXC_BRIDGE}`);
    await rm(work, { recursive: true, force: true });
  }
  // The share of the cores' wall time the hypervisor gave to others: what makes one spell of a shared
  // guest slower than another, references included.
  const run1 = machineCpuMs();
  const stealShare = +((run1.stealMs - run0.stealMs) / ((performance.now() - run0.t) * CORES)).toFixed(3);
  console.log(
    `launch at scale through the CLI; busybox root; base in ${DIR} (tmpfs); ${SMALL}-container rows: median of ${RUNS}, ${BIG}-container rows: median of ${BIG_RUNS}, interleaved; the hypervisor took ${(stealShare * 100).toFixed(1)}% of the cores' time (steal)`,
  );
  console.table(rows);
  console.log(JSON.stringify({ dir: DIR, runs: RUNS, bigRuns: BIG_RUNS, stealShare, rows }));
}

void main();
