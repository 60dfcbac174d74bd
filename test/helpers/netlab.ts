/**
 * Measuring links between containers: ping statistics and a TCP transfer, run from the host inside
 * the containers' network namespaces (nsenter), so nothing in the container image is needed.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { ContainerInfo } from '../../engine/api/types.js';
import type { TestDaemon } from './daemon.js';

const run = promisify(execFile);

export async function info(d: TestDaemon, name: string): Promise<ContainerInfo> {
  const c = (await d.client.call('vm.info')).find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

export interface PingStats {
  sent: number;
  received: number;
  lossPercent: number;
  avgMs: number;
}

/** busybox ping from inside `pid`'s netns: `count` echoes every `intervalS`. */
export async function ping(pid: number, to: string, count: number, intervalS: number): Promise<PingStats> {
  const { stdout } = await run('nsenter', [
    '-t',
    String(pid),
    '-n',
    'busybox',
    'ping',
    '-q',
    '-c',
    String(count),
    '-i',
    String(intervalS),
    '-W',
    '2',
    to,
  ]).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }), // exit 1 when some were lost
  );
  const m = /(\d+) packets transmitted, (\d+) packets received/.exec(stdout);
  if (!m) throw new Error(`ping: no statistics in ${JSON.stringify(stdout)}`);
  const avg = /round-trip min\/avg\/max = [\d.]+\/([\d.]+)\//.exec(stdout);
  const sent = Number(m[1]);
  const received = Number(m[2]);
  return { sent, received, lossPercent: (100 * (sent - received)) / sent, avgMs: avg ? Number(avg[1]) : NaN };
}

/**
 * Static neighbour entries both ways, so ARP (which link emulation delays and drops too) never
 * stands between a measurement and the number it is after.
 */
export async function pinNeighbours(a: ContainerInfo, b: ContainerInfo): Promise<void> {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    await run('nsenter', [
      '-t',
      String(from.pid),
      '-n',
      'ip',
      'neigh',
      'replace',
      to.nics[0]!.ip,
      'lladdr',
      to.nics[0]!.mac,
      'dev',
      'veth0',
      'nud',
      'permanent',
    ]);
  }
}

const RECEIVER = `
const net = require('net');
let first = 0n, last = 0n, bytes = 0;
const s = net.createServer((c) => {
  c.on('data', (d) => { const t = process.hrtime.bigint(); if (!first) first = t; last = t; bytes += d.length; });
  c.on('end', () => { console.log(JSON.stringify({ bytes, ms: Number(last - first) / 1e6 })); s.close(); });
});
s.listen(Number(process.argv[1]), '0.0.0.0', () => console.log('listening'));
`;

const SENDER = `
const [host, port, total] = process.argv.slice(1);
const c = require('net').connect(Number(port), host, () => {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const pump = () => {
    while (sent < Number(total)) { sent += chunk.length; if (!c.write(chunk)) return c.once('drain', pump); }
    c.end();
  };
  pump();
});
c.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

/** TCP goodput from `from` to `to` (Mbit/s), measured by the receiver from its first byte to its last. */
export async function throughput(from: ContainerInfo, to: ContainerInfo, bytes: number, port = 5201): Promise<number> {
  const rx = spawn('nsenter', ['-t', String(to.pid), '-n', process.execPath, '-e', RECEIVER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  rx.stdout.setEncoding('utf8');
  const listening = new Promise<void>((resolve, reject) => {
    rx.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('listening')) resolve();
    });
    rx.on('exit', (code) => reject(new Error(`receiver exited ${code}: ${out}`)));
  });
  const done = new Promise<string>((resolve) => rx.on('close', () => resolve(out)));
  await listening;
  await run('nsenter', ['-t', String(from.pid), '-n', process.execPath, '-e', SENDER, to.nics[0]!.ip, String(port), String(bytes)], { timeout: 120_000 });
  const line = (await done).split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`receiver said ${JSON.stringify(out)}`);
  const r = JSON.parse(line) as { bytes: number; ms: number };
  return (r.bytes * 8) / (r.ms * 1000);
}

/** Runs `measure` and retries once when `ok` rejects the value: a busy shared host may spoil one sample. */
export async function measured<T>(measure: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const first = await measure();
  if (ok(first)) return first;
  return measure();
}

/** Live processes whose command line contains `needle` (tcpdumps, delay lines of a test's containers). */
export function processesWith(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && pid !== String(process.pid)) out.push(`${pid} ${cmd.trim()}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Waits until `cond` holds (up to `ms`); false if it never did. */
export async function eventually(cond: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** Pids of `parent`'s children running `comm` (the daemon's tcpdumps). */
export function childrenOf(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (new RegExp(`^Name:\\s+${comm}$`, 'm').test(status) && new RegExp(`^PPid:\\s+${parent}$`, 'm').test(status)) out.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Whether process `pid` still exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
