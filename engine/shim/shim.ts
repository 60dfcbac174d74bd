/**
 * The shim port: every process and socket the engine's verbs touch — forking a monitor and driving
 * its launch handshake, a live monitor's control connection, its console socket, the durable exit
 * record. `LinuxShim` (linux-shim.ts) is the real one; `FakeShim` (fake-shim.ts) records calls and
 * scripts monitors, so every verb and fault path runs in unit tests without root, as `Host` does for
 * files and `ip`.
 */
import type { Duplex } from 'node:stream';
import type { NicAddresses } from '../net/network-types.js';
import type { ExecSpec, ShimBootstrap, ShimNic } from './protocol.js';

export type { ExecSpec, ShimBootstrap, ShimNic } from './protocol.js';

/**
 * One monitor's launch handshake (shim-process.ts ShimLaunch): PID → MOUNTED → CONTINUE → READY →
 * EXEC; with bootstrap `unattended`, PID → READY (the monitor continues and hands EXEC itself); with
 * `autoexec`, PID → MOUNTED → CONTINUE → READY (the monitor hands EXEC itself once frozen). A
 * failure anywhere rejects every wait still pending with the monitor's E_SHIM error.
 */
export interface ShimLaunchHandle {
  /** The monitor's pid: 0 until known. */
  readonly monitorPid: number;
  /** `initStartTicks`: field 22 of init's /proc stat, when the monitor sent it. */
  pids(): Promise<LaunchPids>;
  /** Mounts and pivot_root are done; the child's network namespace is ready for veths. */
  mounted(): Promise<void>;
  /** Go on after MOUNTED with the container ends of the NICs. */
  continue(nics?: readonly ShimNic[]): void;
  /** preinit ran, capabilities are dropped; `frozen`: the monitor already froze the cgroup. */
  ready(): Promise<{ frozen: boolean }>;
  /** Queue exec of init (it happens on thaw). */
  exec(): void;
  /** Kill the child; the monitor cleans up and exits. */
  abort(): void;
  /** Drop the sync connection: after EXEC the monitor keeps running, before it aborts the launch. */
  release(): void;
  /** After EXEC: the sync connection goes on as the monitor's control connection (HELLO first). */
  control(): Promise<ShimControlHandle>;
}

export interface LaunchPids {
  monitorPid: number;
  initPid: number;
  initStartTicks?: number;
}

export type ShimPhase = 'starting' | 'ready' | 'running';

export interface ShimHello {
  monitorPid: number;
  initPid: number;
  phase: ShimPhase;
}

/** What a monitor recorded when init ended (`<dir>/exit`). */
export interface ExitRecord {
  code?: number;
  signal?: number;
  /** Epoch milliseconds. */
  time?: number;
}

/** A live monitor's control connection (control-client.ts ShimControl). */
export interface ShimControlHandle {
  readonly hello: ShimHello;
  /** Called once when init exits (at once if it already did on this connection). */
  onExit(cb: (record: ExitRecord) => void): void;
  /** Called once when the connection ends: after EXITED, when the monitor died, or after close(). */
  onClose(cb: () => void): void;
  /** Set the pty window size; the container gets SIGWINCH. */
  resize(cols: number, rows: number): void;
  /** The container's interfaces and addresses, read inside its network namespace (lo left out). */
  addresses(opts?: { timeoutMs?: number }): Promise<NicAddresses[]>;
  close(): void;
}

/** How a command run in a container ended: an exit code or the signal that killed it. */
export interface ExecExit {
  code?: number;
  signal?: number;
}

export interface ExecHandlers {
  /** The process runs: its pid on the host and inside the container. */
  started?(pids: { hostPid: number; pid: number }): void;
  stdout?(data: Buffer): void;
  stderr?(data: Buffer): void;
}

/** One command inside a running container (exec-client.ts ShimExec): its stdio and its end. */
export interface ShimExecHandle {
  /** Settles when it exited and all its output was delivered; rejects with E_EXEC (detail.errno) when it could not run. */
  readonly exit: Promise<ExecExit>;
  /** The pids once it runs; undefined when it ended or failed first. */
  whenStarted(): Promise<{ hostPid: number; pid: number } | undefined>;
  readonly started: { hostPid: number; pid: number } | undefined;
  /** Bytes for its stdin; resolves when taken (backpressure). */
  write(data: Buffer | string): Promise<void>;
  /** Close its stdin. */
  end(): void;
  signal(signo: number): void;
  resize(cols: number, rows: number): void;
  /** Stop and resume reading its output (the monitor then stops reading the pipes). */
  pause(): void;
  resume(): void;
  /** Drop the connection: a detached session keeps running, any other is killed. */
  close(): void;
}

export interface Shim {
  /** Have a monitor forked for `boot.dir` (it must exist) and send it BOOTSTRAP. */
  launch(boot: ShimBootstrap): Promise<ShimLaunchHandle>;
  /** Connect to the control socket of the monitor serving instance directory `dir`. */
  control(dir: string): Promise<ShimControlHandle>;
  /** The monitor's console socket in `dir`: scrollback first, then live output; input goes to the pty. */
  console(dir: string): Promise<Duplex>;
  /** `<dir>/exit`, or undefined when init has not exited (or no monitor recorded it). */
  exitRecord(dir: string): Promise<ExitRecord | undefined>;
  /** Run a command inside the running container of `dir` under init's confinement (its exec socket). */
  exec(dir: string, spec: ExecSpec, handlers?: ExecHandlers): Promise<ShimExecHandle>;
  /**
   * Take over the detached exec session `token`: its output from where it stopped, then its end.
   * One that ended after telling a previous client ends at once; E_EXEC with errno ENOENT: it never started.
   */
  execAttach(dir: string, token: string, handlers?: ExecHandlers): Promise<ShimExecHandle>;
  /** Stop forking monitors (the launcher process exits); running monitors are not affected. */
  close(): void;
}
