/**
 * Baseline benchmark (not a test): launch+start of N containers until every init runs, kill+flush,
 * and host memory per container. Prints a table and JSON. Usage:
 *   node dist/bench/launch.js [--sizes 1,100,500] [--runs 3] [--net] [--dir /dev/shm]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../engine/api/node/socket-client.js';
import { socketPath } from '../engine/api/wire.js';
import { median, pssKiB, rssKiB, shimPids, waitAllInit } from './procfs.js';
import { LinuxHost } from '../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../engine/rootfs/busybox.js';
import { benchArgs } from './args.js';

const BIN = fileURLToPath(new URL('../../bin/nanomega.js', import.meta.url));
const args = benchArgs(
  'node dist/bench/launch.js [--sizes 1,100,500] [--runs 3] [--net] [--dir /dev/shm]',
  { '--sizes': '1,100,500', '--runs': '3', '--dir': '/dev/shm' },
  ['--net'],
);
const SIZES = args.text('--sizes').split(',').map(Number);
const RUNS = args.number('--runs');
const NET = args.flag('--net');
/**
 * Where the base (instance dirs, overlay uppers) lives. The default base /run/nanomega is a tmpfs on
 * systemd hosts; this build machine's /run is ext4, so the bench uses /dev/shm unless told otherwise.
 */
const DIR = args.text('--dir');

function cgroupMemory(pid: number): number {
  const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const v1 = /:memory:(.*)$/m.exec(cg)?.[1];
  if (v1 && existsSync(`/sys/fs/cgroup/memory${v1}/memory.usage_in_bytes`))
    return Number(readFileSync(`/sys/fs/cgroup/memory${v1}/memory.usage_in_bytes`, 'utf8'));
  const v2 = /^0::(.*)$/m.exec(cg)?.[1];
  return Number(readFileSync(`/sys/fs/cgroup${v2}/memory.current`, 'utf8'));
}

interface Row {
  n: number;
  launchStartMs: number;
  msPerContainer: number;
  killFlushMs: number;
  buildingKiBPerContainer: number;
  monitorPssKiB: number;
  daemonGrowthKiBPerContainer: number;
  cgroupKiBPerContainer: number;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(DIR || tmpdir(), 'nm-bench-'));
  const base = join(work, 'base');
  const fsDir = join(work, 'busybox');
  await buildBusyboxRoot(new LinuxHost(), fsDir);
  const daemon = spawn(process.execPath, [BIN, 'serve', '--base', base], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(socketPath(base)); i++) await new Promise((r) => setTimeout(r, 50));
  const client = await EngineClient.connect(base);
  await client.call('cli.exec', `vm config filesystem ${fsDir}`);
  await client.call('cli.exec', 'vm config memory 128');
  if (NET) await client.call('cli.exec', 'vm config net BENCH');
  const rows: Row[] = [];
  let serial = 0;
  try {
    for (const n of SIZES) {
      const totals: number[] = [];
      const kills: number[] = [];
      let mem = { building: 0, monitor: 0, daemon: 0, cgroup: 0 };
      for (let run = 0; run < RUNS; run++) {
        const shimsBefore = new Set(shimPids());
        const daemonBefore = rssKiB(daemon.pid!);
        const prefix = `b${serial++}x`;
        const t0 = performance.now();
        const launched = await client.call('vm.launch', `${prefix}[0-${n - 1}]`, await client.call('config.get'));
        const failed = launched.filter((r) => r.error);
        if (failed.length) throw new Error(`${failed.length} launches failed: ${failed[0]!.error}`);
        const tBuilt = performance.now();
        const building = shimPids().filter((p) => !shimsBefore.has(p));
        const buildingKiB = building.reduce((s, p) => s + pssKiB(p), 0);
        await client.call('vm.start', 'all');
        const info = await client.call('vm.info');
        await waitAllInit(info.map((c) => c.pid));
        const t1 = performance.now();
        totals.push(t1 - t0);
        if (run === 0) {
          await new Promise((r) => setTimeout(r, 300));
          const monitors = shimPids().filter((p) => !shimsBefore.has(p));
          mem = {
            building: buildingKiB / n,
            monitor: monitors.reduce((s, p) => s + pssKiB(p), 0) / n,
            daemon: (rssKiB(daemon.pid!) - daemonBefore) / n,
            cgroup: info.reduce((s, c) => s + cgroupMemory(c.pid), 0) / 1024 / n,
          };
          void tBuilt;
        }
        const k0 = performance.now();
        await client.call('vm.kill', 'all');
        await client.call('vm.flush');
        kills.push(performance.now() - k0);
      }
      const t = median(totals);
      rows.push({
        n,
        launchStartMs: Math.round(t),
        msPerContainer: Number((t / n).toFixed(2)),
        killFlushMs: Math.round(median(kills)),
        buildingKiBPerContainer: Math.round(mem.building),
        monitorPssKiB: Math.round(mem.monitor),
        daemonGrowthKiBPerContainer: Math.round(mem.daemon),
        cgroupKiBPerContainer: Math.round(mem.cgroup),
      });
      console.error(`n=${n} done`);
    }
  } finally {
    await client.call('vm.kill', 'all').catch(() => undefined);
    await client.call('vm.flush').catch(() => undefined);
    client.close();
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await rm(work, { recursive: true, force: true });
  }
  console.log(`launch+start until every init runs (busybox rootfs, ${NET ? 'one NIC each' : 'no network'}, base in ${DIR}, median of ${RUNS})`);
  console.table(rows);
  console.log(JSON.stringify({ net: NET, dir: DIR, runs: RUNS, rows }));
}

void main();
