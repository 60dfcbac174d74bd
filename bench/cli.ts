/**
 * CLI latency (not a test): `nanomega -e CMD` and a one-command `nanomega attach` against the floor —
 * a minimal C client (bench/cli-floor.c) that sends the same cli.exec frame to the same socket and
 * exits on the reply. `nanomega -e` runs twice: as bin/nanomega, the checkout's program (a symlink to
 * the native client, shim/client/entry.c), and through a symlink elsewhere to it, as the Debian
 * package's /usr/bin/nanomega and `npm link` run it. Every variant is one whole process timed by
 * bench/cli-harness.c, interleaved sample by sample, against one daemon with a few containers; base on
 * tmpfs. Prints medians and ratios to the floor, then JSON. Usage:
 *   node dist/bench/cli.js [--runs 50] [--command "vm info"] [--containers 10] [--dir /dev/shm]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketPath } from '../engine/api/wire.js';
import { benchArgs } from './args.js';
import { compileBenchC, timeProcess } from './native.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The program users run: a symlink to the native client, which runs bin/nanomega.js for what it does not answer. */
const PROGRAM = join(ROOT, 'bin/nanomega');
const NODE_BIN = join(ROOT, 'bin/nanomega.js');
const args = benchArgs('node dist/bench/cli.js [--runs 50] [--command "vm info"] [--containers 10] [--dir /dev/shm]', {
  '--runs': '50',
  '--command': 'vm info',
  '--containers': '10',
  '--dir': '/dev/shm',
});
const RUNS = args.number('--runs');
const COMMAND = args.text('--command');
const CONTAINERS = args.number('--containers');
/** tmpfs, like the default base /run/nanomega on systemd hosts. */
const DIR = args.text('--dir');
/** Node's start alone costs ~60 ms: fewer samples of the TypeScript path keep the run short. */
const NODE_RUNS = Math.min(RUNS, 10);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const work = mkdtempSync(join(DIR, 'nm-cli-'));
  const base = join(work, 'base');
  const sock = socketPath(base);
  const floor = compileBenchC(work, 'cli-floor', { static: true });
  const harness = compileBenchC(work, 'cli-harness', { static: true });
  const input = join(work, 'attach-input');
  writeFileSync(input, `${COMMAND}\n`);
  /** As /usr/bin/nanomega (→ /usr/lib/nanomega/nanomega) or `npm link`'s symlink on PATH reaches it. */
  const linked = join(work, 'nanomega');
  symlinkSync(PROGRAM, linked);
  const daemon = spawn(process.execPath, [NODE_BIN, 'serve', '--base', base], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  const cli = (line: string) => spawnSync(PROGRAM, ['--base', base, '-e', line], { encoding: 'utf8' });
  try {
    if (CONTAINERS > 0) cli(`vm launch container ${CONTAINERS}`);
    const variants: { name: string; argv: string[]; input?: string; runs: number }[] = [
      { name: 'floor: minimal C client', argv: [floor, sock, COMMAND], runs: RUNS },
      { name: 'nanomega -e', argv: [PROGRAM, '--base', base, '-e', COMMAND], runs: RUNS },
      { name: 'nanomega -e, through a symlink elsewhere', argv: [linked, '--base', base, '-e', COMMAND], runs: RUNS },
      { name: 'nanomega attach (one command)', argv: [PROGRAM, '--base', base, 'attach'], input, runs: RUNS },
      { name: 'node bin/nanomega.js -e', argv: [process.execPath, NODE_BIN, '--base', base, '-e', COMMAND], runs: NODE_RUNS },
    ];
    const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const v of variants) {
        if (i >= v.runs) continue;
        samples.get(v.name)!.push(timeProcess(harness, v.name, v.argv, v.input));
      }
    }
    const floorMs = median(samples.get(variants[0]!.name)!);
    const rows = variants.map((v) => {
      const m = median(samples.get(v.name)!);
      return { variant: v.name, samples: v.runs, medianMs: Number(m.toFixed(2)), ratioToFloor: Number((m / floorMs).toFixed(2)) };
    });
    console.log(`\`${COMMAND}\` with ${CONTAINERS} containers; whole-process wall time, median; base in ${DIR}`);
    console.table(rows);
    console.log(JSON.stringify({ command: COMMAND, containers: CONTAINERS, runs: RUNS, rows }));
  } finally {
    cli('vm kill all');
    cli('vm flush');
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await rm(work, { recursive: true, force: true });
  }
}

void main();
