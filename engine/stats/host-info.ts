/**
 * minimega's `host` figures: this machine's cpus, load, memory and uptime from procfs, what the
 * containers of every namespace commit (vcpus, memory, NICs), and the traffic through the bridge
 * ports of the containers and host taps (rx/tx in MB/s, as minimega averages its taps' counters).
 */
import { hostname } from 'node:os';
import type { HostInfo } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { isAlive } from '../state/lifecycle.js';
import { parseCpuStat } from './host-stats.js';

const SYS_NET = '/sys/class/net';
/** How often port counters are read while someone asks for `host`, and how many intervals are kept. */
const SAMPLE_MS = 5000;
const KEEP = 11;
/** Sampling stops when nobody has asked for this long (it costs two reads per NIC per sample). */
const IDLE_MS = 5 * 60_000;

/** minimega's memory figures (MB): total, and used = total − (free + buffers + cached). */
export function minimegaMemory(meminfo: string): { totalMB: number; usedMB: number } {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0);
  const total = kb('MemTotal');
  return { totalMB: Math.trunc(total / 1024), usedMB: Math.trunc((total - (kb('MemFree') + kb('Buffers') + kb('Cached'))) / 1024) };
}

/** The three load averages as /proc/loadavg writes them ("0.31 0.28 0.24"). */
export function loadTriple(loadavg: string): string {
  const f = loadavg.trim().split(/\s+/);
  if (f.length !== 5) throw new Error(`could not read loadavg: ${loadavg.trim()}`);
  return f.slice(0, 3).join(' ');
}

/** /proc/uptime's first field in milliseconds (it has two decimals). */
export function uptimeMs(text: string): number {
  const m = /^(\d+)(?:\.(\d+))?\s/.exec(text);
  if (!m) throw new Error(`malformed uptime, expected float float: ${text.trim()}`);
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0').slice(0, 3));
}

interface PortSample {
  t: number;
  /** Bytes received and sent by each bridge port (by link name and ifindex, so a reused name is another port). */
  ports: Map<string, { rx: number; tx: number }>;
}

/**
 * Average rx/tx rates over the kept samples, in MB/s, summed over ports. minimega weights recent
 * intervals more (a moving average over its 5 s tap samples); this takes each port's bytes over the
 * window it was seen in, which agrees for steady traffic.
 */
export function bandwidth(samples: readonly PortSample[]): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  const last = samples[samples.length - 1];
  if (!last) return { rx, tx };
  for (const [port, now] of last.ports) {
    const first = samples.find((s) => s.ports.has(port));
    if (!first || first === last) continue;
    const then = first.ports.get(port)!;
    const seconds = (last.t - first.t) / 1000;
    rx += Math.max(0, now.rx - then.rx) / (1 << 20) / seconds;
    tx += Math.max(0, now.tx - then.tx) / (1 << 20) / seconds;
  }
  return { rx, tx };
}

/** Keeps the port samples behind `host`'s rx/tx while it is being asked for. */
export class HostInfoSource {
  private readonly samples: PortSample[] = [];
  private timer?: NodeJS.Timeout;
  private lastAsked = 0;

  constructor(private readonly ctx: EngineContext) {}

  async read(): Promise<HostInfo> {
    this.lastAsked = Date.now();
    this.ensureSampling();
    const host = this.ctx.host;
    const [meminfo, loadavg, uptime, stat] = await Promise.all([
      host.readFile('/proc/meminfo'),
      host.readFile('/proc/loadavg'),
      host.readFile('/proc/uptime'),
      host.readFile('/proc/stat'),
    ]);
    const mem = minimegaMemory(meminfo);
    const { rx, tx } = bandwidth(this.samples);
    let cpuCommit = 0;
    let memCommit = 0;
    let netCommit = 0;
    const all = [...this.ctx.containers.values()];
    for (const c of all) {
      const cfg = c.rec.config;
      cpuCommit += cfg.vcpus;
      memCommit += cfg.memory;
      netCommit += cfg.net.length;
    }
    return {
      name: hostname(),
      cpus: parseCpuStat(stat).cpus,
      load: loadTriple(loadavg),
      memUsedMB: mem.usedMB,
      memTotalMB: mem.totalMB,
      rxMBps: rx,
      txMBps: tx,
      vms: all.length,
      // minimega: the lowest coschedule of the host's VMs plus one. A launched container's record does not
      // keep its placement settings (the cluster scheduler applies them before launch): no limit here.
      vmLimit: -1,
      androidVms: 0,
      cpuCommit,
      memCommit,
      netCommit,
      uptimeMs: uptimeMs(uptime),
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.samples.length = 0;
  }

  private ensureSampling(): void {
    if (this.timer) return;
    const tick = () => {
      if (Date.now() - this.lastAsked > IDLE_MS) return this.stop();
      this.sample().catch(() => undefined); // a port that vanished mid-read is simply absent
    };
    tick();
    this.timer = setInterval(tick, SAMPLE_MS);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    const names = new Set<string>();
    for (const c of this.ctx.containers.values()) {
      if (!isAlive(c.rec.state)) continue;
      for (const n of c.rec.nics) if (n.tap) names.add(n.tap);
    }
    for (const t of await this.ctx.taps.list()) {
      const p = await this.ctx.taps.portOf(t.name);
      if (p) names.add(p.port);
    }
    const ports = new Map<string, { rx: number; tx: number }>();
    await Promise.all(
      [...names].map(async (dev) => {
        try {
          const read = (f: string) => this.ctx.host.readFile(`${SYS_NET}/${dev}/${f}`).then((s) => s.trim());
          const [ifindex, rx, tx] = await Promise.all([read('ifindex'), read('statistics/rx_bytes'), read('statistics/tx_bytes')]);
          ports.set(`${dev}#${ifindex}`, { rx: Number(rx), tx: Number(tx) });
        } catch {
          // gone since the list was made
        }
      }),
    );
    this.samples.push({ t: Date.now(), ports });
    if (this.samples.length > KEEP) this.samples.shift();
  }
}
