/**
 * Client of a monitor's `<dir>/exec` socket: one process inside a running container per
 * connection (shim/src/exec.c). Output arrives as callbacks, in order; `exit` settles once all of
 * it has been delivered.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { EngineError, hostError } from '../errors.js';
import { FrameReader, SHIM_MAX_PAYLOAD, ShimMsg, decodeError, encodeExecStart, encodeFrame, type ExecSpec } from './protocol.js';

import type { ExecExit, ExecHandlers, ShimExecHandle } from './shim.js';

export type { ExecSpec } from './protocol.js';
export type { ExecExit, ExecHandlers, ShimExecHandle } from './shim.js';

/** stdin chunk size: a frame each (the monitor writes one before it reads the next). */
const STDIN_CHUNK = 256 * 1024;

/** Parses EXEC_EXITED: "code=N\n" or "signal=N\n". */
export function parseExecExit(text: string): ExecExit {
  const m = /^(code|signal)=(\d+)/.exec(text.trim());
  if (!m) return {};
  return m[1] === 'code' ? { code: Number(m[2]) } : { signal: Number(m[2]) };
}

export class ShimExec implements ShimExecHandle {
  /** Settles when the process has exited and all its output was delivered; rejects with E_EXEC when it could not run. */
  readonly exit: Promise<ExecExit>;
  private settle!: { resolve: (e: ExecExit) => void; reject: (e: Error) => void };
  private done = false;
  private pids?: { hostPid: number; pid: number };
  private startedWaiters: ((p: { hostPid: number; pid: number } | undefined) => void)[] = [];

  private constructor(
    private readonly sock: Socket,
    private readonly path: string,
    private readonly handlers: ExecHandlers,
  ) {
    this.exit = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.exit.catch(() => undefined); // a caller that only cares about output need not handle it
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch (e) {
        this.fail(new EngineError('E_SHIM', `${path}: ${(e as Error).message}`));
        return;
      }
      for (const f of frames) this.frame(f.type, f.payload);
    });
    sock.on('close', () => this.fail(new EngineError('E_SHIM', `${path}: the monitor closed the exec connection`, { path })));
    sock.on('error', () => undefined); // 'close' follows
  }

  /** Runs `spec` in the container of instance directory `dir`. */
  static start(dir: string, spec: ExecSpec, handlers: ExecHandlers = {}): Promise<ShimExec> {
    const payload = encodeExecStart(spec);
    return ShimExec.open(dir, handlers, encodeFrame(ShimMsg.EXEC_START, payload));
  }

  /** Takes over the detached session `token` (its output and exit from where it stopped). */
  static attach(dir: string, token: string, handlers: ExecHandlers = {}): Promise<ShimExec> {
    return ShimExec.open(dir, handlers, encodeFrame(ShimMsg.EXEC_ATTACH, token));
  }

  private static open(dir: string, handlers: ExecHandlers, first: Buffer): Promise<ShimExec> {
    const path = join(dir, 'exec');
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('error', (e) => reject(hostError('connect', path, e)));
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        const x = new ShimExec(sock, path, handlers);
        sock.write(first);
        resolve(x);
      });
    });
  }

  /** Resolves with the pids once the process runs; undefined when it ended or failed first. */
  whenStarted(): Promise<{ hostPid: number; pid: number } | undefined> {
    if (this.pids || this.done) return Promise.resolve(this.pids);
    return new Promise((resolve) => this.startedWaiters.push(resolve));
  }

  /** The pids once STARTED arrived. */
  get started(): { hostPid: number; pid: number } | undefined {
    return this.pids;
  }

  /** Bytes for the process's stdin; resolves when the socket took them (backpressure). */
  async write(data: Buffer | string): Promise<void> {
    let buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    while (buf.length > 0 && !this.done) {
      const chunk = buf.subarray(0, Math.min(STDIN_CHUNK, SHIM_MAX_PAYLOAD));
      buf = buf.subarray(chunk.length);
      if (!this.sock.write(encodeFrame(ShimMsg.EXEC_STDIN, chunk))) await this.drained();
    }
  }

  /** Close the process's stdin (a pty gets ^D). */
  end(): void {
    if (!this.sock.destroyed) this.sock.write(encodeFrame(ShimMsg.EXEC_STDIN));
  }

  signal(signo: number): void {
    if (!Number.isInteger(signo) || signo < 1 || signo > 64) throw new RangeError(`bad signal ${signo}`);
    if (!this.sock.destroyed) this.sock.write(encodeFrame(ShimMsg.EXEC_SIGNAL, String(signo)));
  }

  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > 65535 || rows > 65535)
      throw new RangeError(`bad terminal size ${cols}x${rows}`);
    if (!this.sock.destroyed) this.sock.write(encodeFrame(ShimMsg.RESIZE, `${cols} ${rows}`));
  }

  /** Stop reading output (the monitor then stops reading the process's pipes). */
  pause(): void {
    this.sock.pause();
  }

  resume(): void {
    this.sock.resume();
  }

  /** Drop the connection: a detached session keeps running; any other is killed by the monitor. */
  close(): void {
    this.sock.destroy();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sock.off('drain', done);
        this.sock.off('close', done);
        resolve();
      };
      this.sock.on('drain', done);
      this.sock.on('close', done);
    });
  }

  private frame(type: number, payload: Buffer): void {
    switch (type) {
      case ShimMsg.EXEC_STARTED: {
        const [h, p] = payload.toString('latin1').split(' ').map(Number);
        this.pids = { hostPid: h ?? 0, pid: p ?? 0 };
        this.handlers.started?.(this.pids);
        for (const w of this.startedWaiters.splice(0)) w(this.pids);
        break;
      }
      case ShimMsg.EXEC_STDOUT:
        this.handlers.stdout?.(payload);
        break;
      case ShimMsg.EXEC_STDERR:
        this.handlers.stderr?.(payload);
        break;
      case ShimMsg.EXEC_EXITED:
        this.finish(parseExecExit(payload.toString('latin1')));
        break;
      case ShimMsg.ERROR: {
        const { errno, message } = decodeError(payload);
        this.fail(new EngineError('E_EXEC', message, { errno }));
        break;
      }
    }
  }

  private finish(e: ExecExit): void {
    if (this.done) return;
    this.done = true;
    for (const w of this.startedWaiters.splice(0)) w(this.pids);
    this.settle.resolve(e);
    this.sock.end();
  }

  private fail(e: EngineError): void {
    if (this.done) return;
    this.done = true;
    for (const w of this.startedWaiters.splice(0)) w(this.pids);
    this.settle.reject(e);
    this.sock.destroy();
  }
}
