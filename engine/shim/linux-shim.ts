/**
 * The real shim port: monitors forked by one launcher process per daemon (launcher.ts), their launch
 * handshake (shim-process.ts), control connections (control-client.ts), console sockets and exec
 * sessions (exec-client.ts).
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { EngineError, hostError } from '../errors.js';
import { logError } from '../log.js';
import { ShimControl, readExitRecord } from './control-client.js';
import { ShimExec } from './exec-client.js';
import { encodeBootstrap, type ExecSpec } from './protocol.js';
import { ShimLauncher } from './launcher.js';
import { ShimLaunch } from './shim-process.js';
import type { ExecHandlers, ExitRecord, Shim, ShimBootstrap, ShimControlHandle, ShimExecHandle, ShimLaunchHandle } from './shim.js';

export class LinuxShim implements Shim {
  private launcher: Promise<ShimLauncher> | undefined;
  private closed = false;

  /** `base`: the daemon's state directory (the launcher's socket lives there). */
  constructor(private readonly opts: { base: string; shimPath?: string }) {}

  async launch(boot: ShimBootstrap): Promise<ShimLaunchHandle> {
    const payload = encodeBootstrap(boot);
    const launcher = await this.started();
    return ShimLaunch.attachBootstrapped(await launcher.launch(boot.dir, payload));
  }

  control(dir: string): Promise<ShimControlHandle> {
    return ShimControl.connect(dir);
  }

  console(dir: string): Promise<Duplex> {
    const path = join(dir, 'console');
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        resolve(sock);
      });
      sock.once('error', (e) => reject(hostError('connect', path, e)));
    });
  }

  exitRecord(dir: string): Promise<ExitRecord | undefined> {
    return readExitRecord(dir);
  }

  exec(dir: string, spec: ExecSpec, handlers?: ExecHandlers): Promise<ShimExecHandle> {
    return ShimExec.start(dir, spec, handlers);
  }

  execAttach(dir: string, token: string, handlers?: ExecHandlers): Promise<ShimExecHandle> {
    return ShimExec.attach(dir, token, handlers);
  }

  close(): void {
    this.closed = true;
    this.launcher
      ?.then(
        (l) => l.close(),
        () => undefined, // it never started: nothing to stop
      )
      .catch((e: unknown) => logError('closing the shim launcher', e));
  }

  /** The launcher, started on first use (once per daemon; again after a failed start). */
  private started(): Promise<ShimLauncher> {
    if (this.closed) return Promise.reject(new EngineError('E_SHIM', 'shim launcher is closed'));
    this.launcher ??= ShimLauncher.start({ base: this.opts.base, shimPath: this.opts.shimPath }).catch((e: unknown) => {
      this.launcher = undefined;
      throw e;
    });
    return this.launcher;
  }
}
