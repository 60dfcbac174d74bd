/**
 * `vm top` as minimega measures it: the processes of each container (its cgroup's, at most 100) read
 * from /proc twice, `duration` apart — cpu from the clock ticks they used in between, memory (virt,
 * res, shr) from their statm — and the traffic of the container's NICs over the same window, read
 * from the counters of their host ends (minimega's taps).
 */
import type { ContainerId, VmTopRow } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { isAlive } from '../state/lifecycle.js';
import { statFields } from '../host/proc-stat.js';

/** minimega's ProcLimit: the processes of a VM that are inspected. */
export const PROC_LIMIT = 100;
/** USER_HZ: the unit of /proc/PID/stat times on every Linux ABI (sysconf(_SC_CLK_TCK)). */
const CLK_TCK = 100;
/** statm counts pages; x86-64 pages are 4 KiB (the only architecture the shim builds for). */
const PAGE = 4096;

export interface ProcFigures {
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** guest_time, in clock ticks (0 for anything but a hypervisor's vcpu threads). */
  guestTicks: number;
  sizePages: number;
  residentPages: number;
  sharePages: number;
}

/** Fields of /proc/PID/stat after the command (which may hold spaces and parentheses). */
export function parseStat(text: string): { ticks: number; guestTicks: number } {
  const f = statFields(text);
  // f[0] is field 3 (state): utime and stime are fields 14 and 15, guest_time is field 43.
  const n = (i: number) => Number(f[i]) || 0;
  return { ticks: n(11) + n(12), guestTicks: n(40) };
}

/** /proc/PID/statm: size, resident and shared pages. */
export function parseStatm(text: string): { sizePages: number; residentPages: number; sharePages: number } {
  const [size, resident, share] = text.trim().split(/\s+/).map(Number);
  return { sizePages: size || 0, residentPages: resident || 0, sharePages: share || 0 };
}

interface Snapshot {
  at: number;
  procs: Map<number, ProcFigures>;
  /** Bytes through each NIC's host end: received (from the container) and sent (to it). */
  rx: number;
  tx: number;
}

async function snapshot(ctx: EngineContext, c: Container): Promise<Snapshot | undefined> {
  let pids: number[];
  try {
    pids = (await c.cgroups.pids()).slice(0, PROC_LIMIT);
  } catch {
    return undefined; // its cgroup went: it exited meanwhile
  }
  const procs = new Map<number, ProcFigures>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const [stat, statm] = await Promise.all([ctx.host.readFile(`/proc/${pid}/stat`), ctx.host.readFile(`/proc/${pid}/statm`)]);
        procs.set(pid, { ...parseStat(stat), ...parseStatm(statm) });
      } catch {
        // exited between the listing and the read
      }
    }),
  );
  // Network.counters turns the host ends' counters round to the container's side; minimega's rx/tx are
  // the taps' own (host end rx = what the container sent).
  const nics = await ctx.network.counters(c.rec.id).catch(() => []);
  const rx = nics.reduce((sum, n) => sum + n.txBytes, 0);
  const tx = nics.reduce((sum, n) => sum + n.rxBytes, 0);
  return { at: Date.now(), procs, rx, tx };
}

/** One row from two snapshots (minimega's VMProcStats over A and B). */
export function topFigures(name: string, id: ContainerId, a: Snapshot, b: Snapshot): VmTopRow {
  const seconds = Math.max(0.001, (b.at - a.at) / 1000);
  let cpuTicks = 0;
  let guestTicks = 0;
  for (const [pid, pa] of a.procs) {
    const pb = b.procs.get(pid);
    if (!pb) continue;
    cpuTicks += pb.ticks - pa.ticks;
    guestTicks += pb.guestTicks - pa.guestTicks;
  }
  let ticks = 0;
  let size = 0;
  let resident = 0;
  let share = 0;
  for (const p of b.procs.values()) {
    ticks += p.ticks;
    size += p.sizePages;
    resident += p.residentPages;
    share += p.sharePages;
  }
  const mbps = (bytes: number) => Math.max(0, bytes) / (1 << 20) / seconds;
  return {
    id,
    name,
    virtBytes: size * PAGE,
    resBytes: resident * PAGE,
    shrBytes: share * PAGE,
    cpu: cpuTicks / CLK_TCK / seconds,
    vcpu: guestTicks / CLK_TCK / seconds,
    // minimega turns the ticks into whole seconds before it prints them.
    timeMs: Math.trunc(ticks / CLK_TCK) * 1000,
    procs: b.procs.size,
    rxMBps: mbps(b.rx - a.rx),
    txMBps: mbps(b.tx - a.tx),
  };
}

/** `vm top [duration]`: every live container of `ns` (all when undefined), measured over `durationMs`. */
export async function vmTop(ctx: EngineContext, durationMs: number, ns?: string): Promise<VmTopRow[]> {
  const live = [...ctx.containers.values()].filter((c) => isAlive(c.rec.state) && (ns === undefined || (c.rec.namespace ?? DEFAULT_NAMESPACE) === ns));
  const first = await Promise.all(live.map((c) => snapshot(ctx, c)));
  await new Promise((r) => setTimeout(r, durationMs));
  const rows: VmTopRow[] = [];
  await Promise.all(
    live.map(async (c, i) => {
      const a = first[i];
      const b = a && (await snapshot(ctx, c));
      if (a && b) rows.push(topFigures(c.rec.name, c.rec.id, a, b));
    }),
  );
  return rows.sort((x, y) => x.id - y.id);
}
