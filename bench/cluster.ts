/**
 * Cluster benchmark (not a test): 300 containers over 3 simulated hosts against 300 on one daemon,
 * run side by side (alternating), on this one machine. Each round launches the containers (the
 * cluster: `vm launch container 300` in a namespace of the three hosts, placed 100 per host by the
 * elected scheduler through etcd), starts them all (`vm start all`, fanned out), then kills and
 * flushes them all, every step through the language of one daemon. The hosts of the cluster share
 * this machine's cores, so the ratio is what the cluster layer costs (etcd, scheduling, fan-out over
 * mutual TLS, three daemons' bookkeeping), not what more machines would gain. Everything lives on a
 * tmpfs of the bench's own (like /run). Needs root, etcd and the shim. Usage:
 *   node dist/bench/cluster.js [--n 300] [--runs 3] [--dir /tmp]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../test/helpers/cluster.js';
import { startDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import { benchArgs } from './args.js';

const args = benchArgs('node dist/bench/cluster.js [--n 300] [--runs 3] [--dir /tmp]', { '--n': '300', '--runs': '3', '--dir': '/tmp' });
const N = args.number('--n');
const RUNS = args.number('--runs');
const DIR = args.text('--dir');

interface Round {
  launchMs: number;
  startMs: number;
  killFlushMs: number;
}

type Exec = (line: string) => Promise<string>;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function round(ok: Exec, count: (state: string) => Promise<number>): Promise<Round> {
  const launchMs = await timed(() => ok(`vm launch container b[0-${N - 1}]`));
  if ((await count('BUILDING')) !== N) throw new Error(`not ${N} BUILDING after the launch`);
  const startMs = await timed(() => ok('vm start all'));
  if ((await count('RUNNING')) !== N) throw new Error(`not ${N} RUNNING after the start`);
  const killFlushMs = await timed(async () => {
    await ok('vm kill all');
    await ok('vm flush');
  });
  if ((await count('')) !== 0) throw new Error('containers left after kill+flush');
  return { launchMs, startMs, killFlushMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const mnt = mkdtempSync(join(DIR, 'nm-bench-cluster-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0711', 'nm-bench-cluster', mnt]);
  let cluster: TestCluster | undefined;
  let single: TestDaemon | undefined;
  const rows: { variant: string; r: Round }[] = [];
  try {
    cluster = await startCluster({ n: 3, root: mnt, prefix: 'nmb' });
    const c = cluster;
    await c.ok(0, 'namespace bench');
    const cOk: Exec = (line) => c.ok(0, `namespace bench ${line}`);
    const cCount = async (state: string) => {
      const out = await c.ok(0, 'namespace bench .csv true .annotate false .columns state vm info');
      return out
        .split('\n')
        .slice(1)
        .filter((l) => l !== '' && (state === '' || l === state)).length;
    };
    single = await startDaemon({ base: join(mnt, 'single') });
    const d = single;
    const dCount = async (state: string) => (await d.client.call('vm.info')).filter((v) => state === '' || v.state === state).length;
    for (let i = 0; i < RUNS; i++) {
      rows.push({ variant: 'one daemon', r: await round((l) => d.ok(l), dCount) });
      rows.push({ variant: '3 hosts', r: await round(cOk, cCount) });
      console.error(`round ${i + 1}/${RUNS}: ${JSON.stringify(rows.slice(-2))}`);
    }
  } finally {
    await single?.dispose().catch(() => undefined);
    await cluster?.dispose().catch(() => undefined);
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
  const of = (variant: string, k: keyof Round) => median(rows.filter((x) => x.variant === variant).map((x) => x.r[k]));
  const table = (['launchMs', 'startMs', 'killFlushMs'] as const).map((k) => ({
    step: k,
    oneDaemonMs: Math.round(of('one daemon', k)),
    threeHostsMs: Math.round(of('3 hosts', k)),
    ratio: Math.round((of('3 hosts', k) / of('one daemon', k)) * 100) / 100,
  }));
  const total = (v: string) => of(v, 'launchMs') + of(v, 'startMs') + of(v, 'killFlushMs');
  console.log(`${N} containers, median of ${RUNS} alternating rounds, base on tmpfs`);
  console.table(table);
  console.log(JSON.stringify({ n: N, runs: RUNS, table, totalRatio: Math.round((total('3 hosts') / total('one daemon')) * 100) / 100 }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
