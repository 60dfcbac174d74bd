/**
 * `qos add … delay` where the kernel has no sch_netem: inside the container's network namespace an
 * iptables NFQUEUE rule steers what arrives on vethI into netfilter queue I, and a nanomega-delay
 * process (shim/delay/delayline.c) holds each packet's verdict for the delay. Traffic the container
 * receives is what minimega's netem on the host end delays too.
 *
 * The rule carries --queue-bypass: with no delay line bound, packets pass undelayed instead of being
 * dropped. The delay line exits by itself when the container's init does, so nothing of it outlives
 * the container; it survives daemon restarts, and is found again by its command line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineError, hostError } from '../errors.js';
import { netError, PROC } from './ip.js';
import type { NetHost } from './net-host.js';

/** The delay line program, next to the shim (NANOMEGA_DELAY overrides, like NANOMEGA_SHIM). */
export function delayPath(): string {
  return process.env.NANOMEGA_DELAY || fileURLToPath(new URL('../../../shim/build/nanomega-delay', import.meta.url));
}

/** How long a delay line may take to bind its queue. */
const READY_TIMEOUT_MS = 5_000;
/** How long a stopped delay line may take to release what it holds and exit. */
const EXIT_WAIT_MS = 2_000;

/** Starts a detached delay line and resolves with its pid once it printed "ready". */
export type DelaySpawner = (argv: readonly string[]) => Promise<number>;

/** The container end of NIC `index` and its queue number (one queue per NIC in the container's netns). */
function ifname(index: number): string {
  return `veth${index}`;
}

/** iptables/ip6tables argv (inside the container's netns) that checks (-C), adds (-A) or deletes (-D) the rule. */
export function nfqueueRuleArgv(tool: 'iptables' | 'ip6tables', action: '-C' | '-A' | '-D', initPid: number, index: number): string[] {
  return [
    'nsenter',
    `--net=${PROC}/${initPid}/ns/net`,
    '--',
    tool,
    '-w',
    '-t',
    'raw',
    action,
    'PREROUTING',
    '-i',
    ifname(index),
    '-j',
    'NFQUEUE',
    '--queue-num',
    String(index),
    '--queue-bypass',
  ];
}

/** The delay line's argv: it is found again by exactly this command line. */
export function delayArgv(program: string, initPid: number, index: number, delayUs: number): string[] {
  return [program, `${PROC}/${initPid}/ns/net`, String(index), String(delayUs), String(initPid)];
}

export class DelayLines {
  constructor(
    private readonly host: NetHost,
    private readonly spawner: DelaySpawner = spawnDetached,
    private readonly program = delayPath(),
    private readonly kill: (pid: number, sig: NodeJS.Signals | 0) => boolean = killPid,
  ) {}

  /** NIC `index` of the container whose init is `initPid` delays what it receives by `delayUs`. */
  async set(initPid: number, index: number, delayUs: number, op: string): Promise<void> {
    await this.ensureRule('iptables', initPid, index, op);
    // IPv6 too where the container's netns has ip6tables support; without it only IPv4 is delayed.
    await this.ensureRule('ip6tables', initPid, index, op).catch(() => undefined);
    const want = delayArgv(this.program, initPid, index, delayUs);
    const running = await this.find(initPid, index);
    if (running.some((r) => sameArgv(r.argv, want))) return;
    await this.stop(running.map((r) => r.pid));
    await this.spawner(want);
  }

  /** No delay on NIC `index`: the delay line stops (releasing what it holds) and the rules go. */
  async clear(initPid: number, index: number, op: string): Promise<void> {
    await this.stop((await this.find(initPid, index)).map((r) => r.pid));
    for (const tool of ['iptables', 'ip6tables'] as const) {
      // Repeated -D until -C says it is gone; a namespace without the table has none to delete.
      for (let i = 0; i < 4; i++) {
        const check = await this.host.run(nfqueueRuleArgv(tool, '-C', initPid, index));
        if (check.code !== 0) break;
        const del = await this.host.run(nfqueueRuleArgv(tool, '-D', initPid, index));
        if (del.code !== 0) throw netError(op, ifname(index), del.stderr || `${tool} -D exited ${del.code}`);
      }
    }
  }

  /** Delay lines serving NIC `index` of `initPid`, by their command line in /proc. */
  async find(initPid: number, index: number): Promise<{ pid: number; argv: string[] }[]> {
    const prefix = [this.program, `${PROC}/${initPid}/ns/net`, String(index)];
    const out: { pid: number; argv: string[] }[] = [];
    for (const name of await this.host.readdir(PROC)) {
      if (!/^\d+$/.test(name)) continue;
      const cmdline = await this.host.readFile(`${PROC}/${name}/cmdline`).catch(() => '');
      if (!cmdline.startsWith(prefix.join('\0') + '\0')) continue;
      out.push({ pid: Number(name), argv: cmdline.replace(/\0$/, '').split('\0') });
    }
    return out;
  }

  private async ensureRule(tool: 'iptables' | 'ip6tables', initPid: number, index: number, op: string): Promise<void> {
    if ((await this.host.run(nfqueueRuleArgv(tool, '-C', initPid, index))).code === 0) return;
    const r = await this.host.run(nfqueueRuleArgv(tool, '-A', initPid, index));
    if (r.code !== 0) throw netError(op, ifname(index), r.stderr || `${tool} exited ${r.code}`, { tool });
  }

  private async stop(pids: readonly number[]): Promise<void> {
    for (const pid of pids) this.kill(pid, 'SIGTERM');
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (pids.some((p) => this.kill(p, 0)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function killPid(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** The real spawner: its own session (it outlives the daemon), stdio dropped once it is ready. */
export function spawnDetached(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const settle = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.unref();
      if (e) reject(e);
      else resolve(child.pid!);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(new EngineError('E_HOST', `${argv[0]}: not ready within ${READY_TIMEOUT_MS / 1000} s`, { path: argv[0]! }));
    }, READY_TIMEOUT_MS);
    child.on('error', (e) => settle(hostError('exec', argv[0]!, e)));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) settle();
    });
    // 'close' comes after its output: a failure's stderr is complete by then.
    child.on('close', (code) => settle(new EngineError('E_HOST', err.trim() || `${argv[0]} exited ${code}`, { path: argv[0]! })));
  });
}
