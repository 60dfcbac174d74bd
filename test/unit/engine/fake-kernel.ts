// A fake machine for unit tests of the verbs: a FakeHost that behaves like cgroupfs (a pure cgroup2
// host: directories come with their control files, cgroup.freeze sets cgroup.events, cgroup.kill
// ends the container) and /proc (init's stat while it lives), driven together with a FakeShim.
import { dirname, join } from 'node:path';
import { Engine } from '../../../engine/engine.js';
import type { EngineOptions } from '../../../engine/context.js';
import { hostError } from '../../../engine/errors.js';
import { FakeHost } from '../../../engine/host/fake-host.js';
import { FakeShim, type FakeMonitor } from '../../../engine/shim/fake-shim.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';
export const BASE = '/run/nm-test';
/** A filesystem directory the tests launch on. */
export const ROOTFS = '/srv/busybox';

const MOUNTINFO = `22 1 0:21 / / rw - ext4 /dev/vda rw
30 22 0:26 / ${CGROUP_ROOT} rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw
`;

/** What the kernel puts in every new cgroup2 directory (the files the engine touches). */
const CGROUP_FILES: Record<string, string> = {
  'cgroup.procs': '',
  'cgroup.freeze': '0',
  'cgroup.events': 'populated 0\nfrozen 0\n',
  'cgroup.kill': '',
  'cgroup.subtree_control': '',
  'memory.max': 'max',
  'memory.current': '0',
  'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
  'cpu.max': 'max 100000',
  'cpu.stat': 'usage_usec 0\n',
  'pids.max': 'max',
  'pids.current': '0',
};

/** /proc/PID/stat with start time `ticks` (field 22). */
function stat(pid: number, ticks: number): string {
  return `${pid} (init) S 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 ${ticks} 0 0\n`;
}

export class FakeKernel extends FakeHost {
  /** Pids that exist (kill(pid, 0) answers for them). */
  readonly pids = new Set<number>();
  readonly shim = new FakeShim();
  private ticks = 5000;

  constructor() {
    super(
      new Map([
        ['/proc/self/mountinfo', MOUNTINFO],
        [join(CGROUP_ROOT, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc'],
        [join(CGROUP_ROOT, 'cgroup.subtree_control'), ''],
      ]),
    );
    this.dirs.add(ROOTFS);
    this.shim.onSpawn = (m) => this.spawned(m);
    this.shim.onFreeze = (m) => this.setFrozen(m.boot.freeze?.dir, true);
    this.shim.onDeath = (m) => this.died(m);
    this.onWrite = (path, data) => this.written(path, data);
  }

  override async mkdir(path: string, opts?: { recursive?: boolean; mode?: number }): Promise<void> {
    const fresh = !this.dirs.has(path);
    await super.mkdir(path);
    if (!fresh && !opts?.recursive) throw hostError('mkdir', path, Object.assign(new Error('EEXIST'), { code: 'EEXIST' }));
    if (fresh && path.startsWith(CGROUP_ROOT + '/')) for (const [f, v] of Object.entries(CGROUP_FILES)) this.files.set(join(path, f), v);
  }

  /** A cgroup with tasks cannot be removed (EBUSY), as in the kernel. */
  override async rmdir(path: string): Promise<void> {
    if ((this.files.get(join(path, 'cgroup.procs')) ?? '') !== '') {
      this.calls.push({ op: 'rmdir', path });
      throw hostError('rmdir', path, Object.assign(new Error('EBUSY'), { code: 'EBUSY' }));
    }
    await super.rmdir(path);
  }

  override kill(pid: number, signal: NodeJS.Signals | number): boolean {
    super.kill(pid, signal);
    return this.pids.has(pid);
  }

  /** Open an engine on this machine (a daemon start; again after crash() for a restart). */
  open(opts: Partial<EngineOptions> = {}): Promise<Engine> {
    return Engine.open({ base: BASE, ...opts, shim: this.shim }, this);
  }

  /**
   * The daemon is gone: the engine drops everything (as a dying process does: nothing of it runs
   * afterwards), its monitor connections close; monitors and containers live on.
   */
  daemonDied(engine: Engine): void {
    engine.close();
    this.shim.disconnectAll();
  }

  /** The container's cgroup2 directory. */
  cgroupOf(m: FakeMonitor): string {
    return m.boot.cgroups.find((d) => d.startsWith(CGROUP_ROOT))!;
  }

  frozen(dir: string): boolean {
    return /^frozen 1$/m.test(this.files.get(join(dir, 'cgroup.events')) ?? '');
  }

  private spawned(m: FakeMonitor): void {
    this.pids.add(m.monitorPid);
    this.pids.add(m.initPid);
    this.files.set(`/proc/${m.initPid}/stat`, stat(m.initPid, this.ticks++));
    for (const dir of m.boot.cgroups) if (this.files.has(join(dir, 'cgroup.procs'))) this.files.set(join(dir, 'cgroup.procs'), `${m.initPid}\n`);
  }

  private died(m: FakeMonitor): void {
    this.pids.delete(m.monitorPid);
    this.pids.delete(m.initPid);
    this.files.delete(`/proc/${m.initPid}/stat`);
    for (const dir of m.boot.cgroups) if (this.files.has(join(dir, 'cgroup.procs'))) this.files.set(join(dir, 'cgroup.procs'), '');
  }

  private setFrozen(dir: string | undefined, frozen: boolean): void {
    if (!dir) return;
    this.files.set(join(dir, 'cgroup.events'), `populated 1\nfrozen ${frozen ? 1 : 0}\n`);
  }

  private written(path: string, data: string): void {
    const dir = dirname(path);
    if (path.endsWith('/cgroup.freeze')) this.setFrozen(dir, data === '1');
    if (path.endsWith('/cgroup.kill') && data === '1') {
      // The kernel kills every task; the monitor reaps init and records signal 9, a moment later.
      const m = [...this.shim.monitors.values()].find((x) => x.alive && x.boot.cgroups.includes(dir));
      if (m) setImmediate(() => m.alive && this.shim.exit(m.dir, { signal: 9 }));
    }
  }
}
