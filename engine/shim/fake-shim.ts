/**
 * A recording in-memory shim for unit tests of the verbs and their fault paths (never the only
 * test of a kernel feature: test/integration drives the real monitors). Monitors are scripted:
 * a launch goes PID → MOUNTED → CONTINUE → READY unless `failLaunch` says where it breaks, and the
 * test ends containers with exit() (init exited, the monitor recorded it) or crash() (the monitor
 * was SIGKILLed). Hooks let a fake kernel keep /proc and cgroups in step.
 */
import { PassThrough, Duplex } from 'node:stream';
import { EngineError, hostError } from '../errors.js';
import type { NicAddresses } from '../net/network-types.js';
import { Deferred } from './deferred.js';
import { FakeExecs } from './fake-exec.js';
import type { ExecSpec } from './protocol.js';
import type {
  ExecHandlers,
  ExitRecord,
  Shim,
  ShimBootstrap,
  ShimControlHandle,
  ShimExecHandle,
  ShimHello,
  ShimLaunchHandle,
  ShimNic,
  ShimPhase,
  LaunchPids,
} from './shim.js';

export type ShimCall =
  | { op: 'launch'; dir: string; name: string }
  | { op: 'continue'; dir: string; nics: readonly ShimNic[] }
  | { op: 'exec' | 'abort' | 'release' | 'control' | 'adopt' | 'console' | 'exitRecord'; dir: string }
  | { op: 'resize'; dir: string; cols: number; rows: number }
  | { op: 'close' };

/** Where a scripted launch breaks: the request itself, before PID, at MOUNTED, or at READY. */
export type LaunchStep = 'launch' | 'pids' | 'mounted' | 'ready';

export interface LaunchFailure {
  at: LaunchStep;
  message: string;
  errno?: number;
}

function enoent(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
}

/** One scripted monitor and its container's init. */
export class FakeMonitor {
  phase: ShimPhase = 'starting';
  alive = true;
  exit: ExitRecord | undefined;
  /** Interfaces ADDRS answers with. */
  addresses: NicAddresses[] = [];
  readonly controls = new Set<FakeControl>();
  /** Console bytes the container "printed", replayed to each console client. */
  scrollback = '';
  constructor(
    readonly boot: ShimBootstrap,
    readonly monitorPid: number,
    readonly initPid: number,
  ) {}

  get dir(): string {
    return this.boot.dir;
  }
}

class FakeLaunch implements ShimLaunchHandle {
  private readonly pidsD = new Deferred<LaunchPids>();
  private readonly mountedD = new Deferred<void>();
  private readonly readyD = new Deferred<{ frozen: boolean }>();
  private released = false;

  constructor(
    private readonly shim: FakeShim,
    private readonly m: FakeMonitor,
    private readonly failure: LaunchFailure | undefined,
  ) {
    queueMicrotask(() => {
      if (this.failsAt('pids')) return;
      this.shim.onSpawn?.(m);
      this.pidsD.resolve({ monitorPid: m.monitorPid, initPid: m.initPid });
      if (this.failsAt('mounted')) return;
      this.mountedD.resolve();
      // Unattended (no NICs): the monitor goes on by itself and hands EXEC once frozen.
      if (m.boot.unattended) this.proceed();
    });
  }

  get monitorPid(): number {
    return this.pidsD.settled ? this.m.monitorPid : 0;
  }
  pids() {
    return this.pidsD.promise;
  }
  mounted() {
    return this.mountedD.promise;
  }
  continue(nics: readonly ShimNic[] = []): void {
    this.shim.calls.push({ op: 'continue', dir: this.m.dir, nics });
    this.proceed();
  }
  private proceed(): void {
    if (this.released || !this.m.alive) return;
    queueMicrotask(() => {
      if (this.failsAt('ready')) return;
      this.m.phase = 'ready';
      if (this.shim.freezes) this.shim.onFreeze?.(this.m);
      if (this.shim.freezes && (this.m.boot.unattended || this.m.boot.autoexec)) this.m.phase = 'running';
      this.readyD.resolve({ frozen: this.shim.freezes });
    });
  }
  ready() {
    return this.readyD.promise;
  }
  exec(): void {
    this.shim.calls.push({ op: 'exec', dir: this.m.dir });
    if (!this.released && this.m.alive && this.m.phase === 'ready') this.m.phase = 'running';
  }
  async control(): Promise<ShimControlHandle> {
    this.shim.calls.push({ op: 'adopt', dir: this.m.dir });
    if (this.released || !this.m.alive || this.m.phase !== 'running') throw new EngineError('E_SHIM', 'shim sync socket already released or not past EXEC');
    return this.shim.controlOf(this.m);
  }
  abort(): void {
    this.shim.calls.push({ op: 'abort', dir: this.m.dir });
    if (this.released || !this.m.alive) return;
    // Before EXEC the monitor kills the child and exits without an exit record; after, init dies.
    if (this.m.phase === 'running') this.shim.exit(this.m.dir, { signal: 9 });
    else this.shim.vanish(this.m.dir);
  }
  release(): void {
    this.shim.calls.push({ op: 'release', dir: this.m.dir });
    if (this.released) return;
    this.released = true;
    const e = new EngineError('E_SHIM', 'shim sync socket released');
    for (const d of [this.pidsD, this.mountedD, this.readyD] as Deferred<unknown>[]) d.reject(e);
    // The engine went away before EXEC: the monitor aborts the launch (monitor-launch.c engine_gone).
    if (this.m.alive && this.m.phase !== 'running') this.shim.vanish(this.m.dir);
  }

  /** Fail the launch at `step` if scripted so: the monitor reports ERROR and exits. */
  private failsAt(step: LaunchStep): boolean {
    if (this.failure?.at !== step) return false;
    const e = new EngineError('E_SHIM', this.failure.message, this.failure.errno === undefined ? {} : { errno: this.failure.errno });
    for (const d of [this.pidsD, this.mountedD, this.readyD] as Deferred<unknown>[]) d.reject(e);
    this.shim.vanish(this.m.dir);
    return true;
  }
}

class FakeControl implements ShimControlHandle {
  private readonly exitCbs: ((r: ExitRecord) => void)[] = [];
  private readonly closeCbs: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly shim: FakeShim,
    private readonly m: FakeMonitor,
    readonly hello: ShimHello,
  ) {}

  onExit(cb: (record: ExitRecord) => void): void {
    this.exitCbs.push(cb);
  }
  onClose(cb: () => void): void {
    if (this.closed) queueMicrotask(cb);
    else this.closeCbs.push(cb);
  }
  resize(cols: number, rows: number): void {
    this.shim.calls.push({ op: 'resize', dir: this.m.dir, cols, rows });
  }
  addresses(): Promise<NicAddresses[]> {
    if (this.closed) return Promise.reject(new EngineError('E_SHIM', 'monitor control connection is closed'));
    return Promise.resolve(structuredClone(this.m.addresses));
  }
  close(): void {
    this.end();
  }

  /** EXITED from the monitor, then the connection ends. */
  deliverExit(r: ExitRecord): void {
    for (const cb of this.exitCbs.splice(0)) cb(r);
    this.end();
  }
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.m.controls.delete(this);
    for (const cb of this.closeCbs.splice(0)) queueMicrotask(cb);
  }
}

export class FakeShim implements Shim {
  readonly calls: ShimCall[] = [];
  /** Every monitor ever launched, by instance directory (the latest incarnation). */
  readonly monitors = new Map<string, FakeMonitor>();
  /** Where the next launches break; undefined: they go through. */
  failLaunch?: (boot: ShimBootstrap) => LaunchFailure | undefined;
  /** READY says "frozen": the monitor froze the cgroup itself (the real shim with bootstrap `freeze`). */
  freezes = true;
  /** Hooks for a fake kernel: init exists (PID sent), the monitor froze, init and the monitor died. */
  onSpawn?: (m: FakeMonitor) => void;
  onFreeze?: (m: FakeMonitor) => void;
  onDeath?: (m: FakeMonitor) => void;
  /** Commands run in containers (fake-exec.ts): scripted outcomes, detached sessions by token. */
  readonly execs = new FakeExecs((dir) => {
    const m = this.monitors.get(dir);
    return m?.alive === true && m.phase === 'running';
  });
  private nextPid = 1000;

  async launch(boot: ShimBootstrap): Promise<ShimLaunchHandle> {
    this.calls.push({ op: 'launch', dir: boot.dir, name: boot.name });
    const failure = this.failLaunch?.(boot);
    if (failure?.at === 'launch') throw new EngineError('E_SHIM', failure.message);
    const m = new FakeMonitor(structuredClone(boot), this.nextPid++, this.nextPid++);
    this.monitors.set(boot.dir, m);
    return new FakeLaunch(this, m, failure);
  }

  async control(dir: string): Promise<ShimControlHandle> {
    this.calls.push({ op: 'control', dir });
    const m = this.monitors.get(dir);
    if (!m?.alive) throw hostError('connect', `${dir}/control`, enoent());
    return this.controlOf(m);
  }

  /** A control connection to `m` (connected, or a launch's sync connection handed over). */
  controlOf(m: FakeMonitor): ShimControlHandle {
    const ctl = new FakeControl(this, m, { monitorPid: m.monitorPid, initPid: m.initPid, phase: m.phase });
    m.controls.add(ctl);
    return ctl;
  }

  async console(dir: string): Promise<Duplex> {
    this.calls.push({ op: 'console', dir });
    const m = this.monitors.get(dir);
    if (!m?.alive) throw hostError('connect', `${dir}/console`, enoent());
    // What the container prints comes out; what the client writes is dropped (a quiet container).
    const out = new PassThrough();
    out.end(m.scrollback);
    return Duplex.from({ readable: out, writable: new PassThrough() });
  }

  async exitRecord(dir: string): Promise<ExitRecord | undefined> {
    this.calls.push({ op: 'exitRecord', dir });
    return this.monitors.get(dir)?.exit;
  }

  exec(dir: string, spec: ExecSpec, handlers?: ExecHandlers): Promise<ShimExecHandle> {
    return this.execs.start(dir, spec, handlers);
  }

  execAttach(dir: string, token: string, handlers?: ExecHandlers): Promise<ShimExecHandle> {
    return this.execs.attach(dir, token, handlers);
  }

  close(): void {
    this.calls.push({ op: 'close' });
  }

  /** Init exited: the monitor records `record`, sends EXITED on every control connection and exits. */
  exit(dir: string, record: ExitRecord): void {
    const m = this.live(dir);
    m.exit = { time: Date.now(), ...record };
    this.die(m);
    for (const c of [...m.controls]) c.deliverExit(m.exit);
  }

  /** The monitor (and with it init) was SIGKILLed: connections close, no EXITED, no record. */
  crash(dir: string): void {
    const m = this.live(dir);
    this.die(m);
    for (const c of [...m.controls]) c.end();
  }

  /** A monitor that ends a launch it never finished: gone without a record. */
  vanish(dir: string): void {
    const m = this.monitors.get(dir);
    if (!m?.alive) return;
    this.die(m);
    for (const c of [...m.controls]) c.end();
  }

  /** The daemon went away: every control connection closes; monitors and containers keep running. */
  disconnectAll(): void {
    for (const m of this.monitors.values()) for (const c of [...m.controls]) c.end();
    this.execs.disconnectAll();
  }

  private live(dir: string): FakeMonitor {
    const m = this.monitors.get(dir);
    if (!m?.alive) throw new Error(`FakeShim: no live monitor in ${dir}`);
    return m;
  }

  private die(m: FakeMonitor): void {
    m.alive = false;
    this.onDeath?.(m);
  }
}
