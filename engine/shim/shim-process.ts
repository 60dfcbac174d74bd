/**
 * Driving nanomega-shim's launch handshake over its sync socket:
 *   BOOTSTRAP → PID → MOUNTED → CONTINUE (the NICs' container ends) → READY → (freeze) EXEC → … EXITED.
 * With bootstrap `freeze` the monitor freezes the cgroup before READY and says so ("frozen").
 * The socket is fd 3 of a shim spawned here (detached, its own session, unref'd: it outlives the
 * daemon), or the connection a monitor forked by the launcher attached over (launcher.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError, hostError } from '../errors.js';
import {
  FrameReader,
  READY_FROZEN,
  ShimMsg,
  decodeError,
  encodeBootstrap,
  encodeContinue,
  encodeFrame,
  messageName,
  type Frame,
  type ShimBootstrap,
  type ShimNic,
} from './protocol.js';

export type { ShimBootstrap } from './protocol.js';
import type { LaunchPids, ShimControlHandle, ShimLaunchHandle } from './shim.js';
import { ShimControl } from './control-client.js';
import { Deferred } from './deferred.js';

/** The environment the shim (spawned, or the launcher) starts with. */
export const SHIM_PATH_ENV = '/usr/sbin:/usr/bin:/sbin:/bin';

/** `<repo>/shim/build/nanomega-shim`, or $NANOMEGA_SHIM. */
export function defaultShimPath(): string {
  return process.env.NANOMEGA_SHIM || fileURLToPath(new URL('../../../shim/build/nanomega-shim', import.meta.url));
}

export class ShimLaunch implements ShimLaunchHandle {
  private readonly reader = new FrameReader();
  /** Frames after READY: the monitor's control protocol (HELLO …), kept for control(). */
  private readonly afterReady: Frame[] = [];
  private handedOver = false;
  private readonly pidsD = new Deferred<LaunchPids>();
  private readonly mountedD = new Deferred<void>();
  private readonly readyD = new Deferred<{ frozen: boolean }>();
  private readonly exitedD = new Deferred<string>();
  private released = false;
  private failure: EngineError | undefined;
  private reportedPid = 0;

  /** `knownPid`: the monitor's pid when known before the PID frame (a spawned shim). */
  private constructor(
    private readonly sock: Socket,
    private readonly knownPid: number | undefined,
  ) {
    sock.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.reader.push(chunk);
      } catch (e) {
        this.fail(new EngineError('E_SHIM', `shim protocol: ${(e as Error).message}`));
        sock.destroy();
        return;
      }
      for (const f of frames) this.onFrame(f);
    });
    sock.on('error', () => {}); // 'close' follows and reports
    sock.on('close', () => {
      if (!this.released) this.fail(new EngineError('E_SHIM', 'shim closed its sync socket unexpectedly'));
    });
    sock.resume(); // an attached connection arrives paused
  }

  /** Spawns the shim with `<dir>/shim.log` as its stderr and sends BOOTSTRAP. */
  static spawn(b: ShimBootstrap, opts: { shimPath?: string } = {}): ShimLaunch {
    const shimPath = opts.shimPath ?? defaultShimPath();
    const logPath = join(b.dir, 'shim.log');
    let logFd: number;
    try {
      logFd = openSync(logPath, 'a', 0o600);
    } catch (e) {
      throw hostError('open', logPath, e);
    }
    let child: ChildProcess;
    try {
      child = spawn(shimPath, [], {
        stdio: ['ignore', 'ignore', logFd, 'pipe'],
        detached: true,
        env: { NANOMEGA_SYNC_FD: '3', PATH: SHIM_PATH_ENV },
      });
    } finally {
      closeSync(logFd);
    }
    child.unref();
    const launch = new ShimLaunch(child.stdio[3] as Socket, child.pid ?? 0);
    child.on('error', (e) => launch.fail(hostError('spawn', shimPath, e)));
    return launch.bootstrap(b);
  }

  /**
   * Drives the handshake over `sock`, the sync connection of a monitor the launcher forked
   * (ShimLauncher.launch); sends BOOTSTRAP. The monitor's pid comes from the PID frame unless given.
   */
  static attach(b: ShimBootstrap, sock: Socket, monitorPid?: number): ShimLaunch {
    return new ShimLaunch(sock, monitorPid).bootstrap(b);
  }

  /** As attach, for a monitor that got its BOOTSTRAP with the launcher request (launcher.ts). */
  static attachBootstrapped(sock: Socket): ShimLaunch {
    return new ShimLaunch(sock, undefined);
  }

  private bootstrap(b: ShimBootstrap): this {
    this.sock.write(encodeFrame(ShimMsg.BOOTSTRAP, encodeBootstrap(b)));
    return this;
  }

  /** The monitor's pid: 0 if the spawn itself failed, or while an attached monitor has not sent PID. */
  get monitorPid(): number {
    return this.knownPid || this.reportedPid;
  }

  pids(): Promise<LaunchPids> {
    return this.pidsD.promise;
  }
  /** Mounts and pivot_root are done; /proc/<initPid>/ns/net is ready for veths. */
  mounted(): Promise<void> {
    return this.mountedD.promise;
  }
  /** Go on after MOUNTED; the child brings lo and `nics` (their container ends) up and adds their addresses. */
  continue(nics: readonly ShimNic[] = []): void {
    this.send(ShimMsg.CONTINUE, encodeContinue(nics));
  }
  /**
   * preinit ran, caps dropped, fds closed; the child waits for EXEC. `frozen`: the monitor already
   * froze the cgroup (bootstrap `freeze`), so EXEC may follow at once.
   */
  ready(): Promise<{ frozen: boolean }> {
    return this.readyD.promise;
  }
  /** Send once the cgroup is frozen: init execs on thaw. */
  exec(): void {
    this.send(ShimMsg.EXEC);
  }
  /** Kill the child; the monitor cleans up and exits. */
  abort(): void {
    this.send(ShimMsg.ABORT);
  }
  /** The exit record text once init has exited (only while the sync socket is held). */
  exited(): Promise<string> {
    return this.exitedD.promise;
  }
  /** Drop the sync socket: the monitor keeps running (after EXEC) and the daemon holds nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.fail(new EngineError('E_SHIM', 'shim sync socket released'));
    if (!this.handedOver) this.sock.destroy();
  }

  /**
   * After EXEC (the engine's, or the monitor's own when unattended): the monitor goes on serving
   * this connection as a control connection, HELLO first (shim/src/control.h shim_control_adopt).
   * The launch handle lets go of the socket; release() then only ends the handshake.
   */
  control(): Promise<ShimControlHandle> {
    if (this.released || this.handedOver) return Promise.reject(new EngineError('E_SHIM', 'shim sync socket already released'));
    this.handedOver = true;
    for (const ev of ['data', 'close', 'error'] as const) this.sock.removeAllListeners(ev);
    this.sock.pause();
    return ShimControl.adopt(this.sock, `monitor ${this.monitorPid} sync connection`, this.reader, this.afterReady.splice(0));
  }

  /** The error that ended the launch, if any. */
  get error(): EngineError | undefined {
    return this.failure;
  }

  private send(type: number, payload?: Buffer): void {
    if (this.released || this.sock.destroyed) return;
    this.sock.write(encodeFrame(type, payload));
  }

  private onFrame(f: Frame): void {
    // After READY (and EXEC) the monitor speaks its control protocol on this connection: HELLO,
    // then EXITED; kept for control(), and EXITED also answers exited().
    if (this.readyD.settled) {
      this.afterReady.push(f);
      if (f.type === ShimMsg.EXITED) this.exitedD.resolve(f.payload.toString('utf8'));
      return;
    }
    switch (f.type) {
      case ShimMsg.PID: {
        // "<monitor> <init> [<init's start ticks>]" (older monitors send no ticks)
        const [m, i, ticks] = f.payload.toString('latin1').split(' ').map(Number);
        if (!Number.isInteger(m) || !Number.isInteger(i) || m! <= 0 || i! <= 0 || (ticks !== undefined && !(Number.isSafeInteger(ticks) && ticks >= 0))) {
          this.fail(new EngineError('E_SHIM', `shim sent a bad PID message: ${f.payload.toString('latin1')}`));
          return;
        }
        this.reportedPid = m!;
        this.pidsD.resolve({ monitorPid: m!, initPid: i!, ...(ticks ? { initStartTicks: ticks } : {}) });
        return;
      }
      case ShimMsg.MOUNTED:
        this.mountedD.resolve();
        return;
      case ShimMsg.READY:
        this.readyD.resolve({ frozen: f.payload.toString('latin1') === READY_FROZEN });
        return;
      case ShimMsg.ERROR: {
        const { errno, message } = decodeError(f.payload);
        this.fail(new EngineError('E_SHIM', message, { errno }));
        return;
      }
      default:
        this.fail(new EngineError('E_SHIM', `shim sent unexpected message ${messageName(f.type)}`));
    }
  }

  private fail(e: EngineError): void {
    this.failure ??= e;
    for (const d of [this.pidsD, this.mountedD, this.readyD, this.exitedD] as Deferred<unknown>[]) d.reject(e);
  }
}
