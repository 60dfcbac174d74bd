/**
 * The shim launcher: `nanomega-shim --launcher <base>/launch.sock`, one small process per daemon,
 * forks every monitor so the daemon never does (child_process.spawn forks Node's whole address
 * space: ~5 ms of main-thread CPU per container). The engine writes `<token> <len> <dir>\n` and the
 * container's BOOTSTRAP payload (len bytes) on its stdin; the launcher forks a monitor (its own
 * session, `<dir>/shim.log` as stderr, reaped by the kernel, orphaned when the launcher ends) that
 * starts from that payload, connects to launch.sock and sends ATTACH `<token>`. That connection is
 * then the monitor's sync socket: ShimLaunch.attach drives the rest of the handshake over it.
 * (BOOTSTRAP rides with the request because a socket write to each monitor cost the daemon ~0.25 ms
 * of wakeup per container; the requests of a wave go in a handful of pipe writes. `<token> <dir>`
 * alone still works: the monitor then reads BOOTSTRAP from the connection.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { EngineError, hostError } from '../errors.js';
import { FRAME_HEADER_BYTES, FrameReader, SHIM_MAX_PAYLOAD, ShimMsg, type Frame } from './protocol.js';
import { SHIM_PATH_ENV, defaultShimPath } from './shim-process.js';
import { listenOwnerOnly } from '../host/unix-listen.js';

/** The daemon's end of the launcher's connections, in the base directory. */
export const LAUNCH_SOCKET = 'launch.sock';
/**
 * How long a requested monitor may take to connect and send ATTACH once the launcher got to its
 * request. The launcher forks the requests one after the other, in order, so in a wave of a thousand
 * on a slow machine the last ones wait behind the others' forks far longer than any one monitor
 * takes to attach. A request the launcher has not passed yet is timed from its request or from the
 * last attach, whichever is later (monitors attaching: the launcher works through the queue); one
 * it has passed (a later request attached) from that moment, so a monitor that died after its fork
 * fails in time however many launches follow.
 */
export const ATTACH_TIMEOUT_MS = 10_000;
/**
 * After the launcher died, how long its requests may still attach: a monitor forked before the
 * death attaches within milliseconds; a request it never read never will.
 */
const ORPHANED_REQUEST_GRACE_MS = 1_000;
/** Longest unix socket path (sun_path without its NUL). */
const SUN_PATH_MAX = 107;

/** One stdin line for the launcher (its payload follows when `bootLen`); throws on a directory it could not read back. */
export function launchRequest(token: number, dir: string, bootLen?: number): string {
  if (!Number.isSafeInteger(token) || token < 0) throw new RangeError(`launcher token ${token}`);
  if (!isAbsolute(dir) || /[\n\0]/.test(dir)) throw new RangeError(`launcher dir ${JSON.stringify(dir)}: want an absolute path without newlines`);
  if (bootLen === undefined) return `${token} ${dir}\n`;
  if (!Number.isSafeInteger(bootLen) || bootLen < 1 || bootLen > SHIM_MAX_PAYLOAD) throw new RangeError(`launcher bootstrap of ${bootLen} bytes`);
  return `${token} ${bootLen} ${dir}\n`;
}

/** The token of an ATTACH frame, or undefined for anything else. */
export function attachToken(f: Frame): number | undefined {
  if (f.type !== ShimMsg.ATTACH) return undefined;
  const s = f.payload.toString('latin1');
  return /^\d{1,16}$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
}

interface Pending {
  dir: string;
  /** The launcher process the request went to: if it dies first, the request fails. */
  proc: ChildProcess;
  resolve: (s: Socket) => void;
  reject: (e: Error) => void;
  /** Its place in the launcher's queue (requests are served in order). */
  seq: number;
  /** When it was requested (performance.now()). */
  since: number;
  /** When a later request attached: the launcher had forked this one by then. */
  passed?: number;
  /** Set once its launcher died: the request fails when this grace ends, not at its deadline. */
  orphaned?: NodeJS.Timeout;
}

export class ShimLauncher {
  private readonly pending = new Map<number, Pending>();
  private proc: ChildProcess | undefined;
  private closed = false;
  /** When a monitor last attached (performance.now()): the launcher is still making progress. */
  private lastAttach = 0;
  private seq = 0;
  /** Requests in queue order (settled ones included until compacted); `head`: the first not known to be passed. */
  private queue: Pending[] = [];
  private head = 0;
  /** Fails the requests past their deadline; armed for the earliest while any waits. */
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
    readonly shimPath: string,
    private readonly attachTimeoutMs: number,
  ) {
    server.on('connection', (s) => this.onConnection(s));
  }

  /** Listens on `<base>/launch.sock` (a stale one is replaced) and starts the launcher process. */
  static async start(opts: { base: string; shimPath?: string; attachTimeoutMs?: number }): Promise<ShimLauncher> {
    const path = join(opts.base, LAUNCH_SOCKET);
    if (Buffer.byteLength(path) > SUN_PATH_MAX) throw new EngineError('E_HOST', `launcher socket path too long: ${path}`, { path });
    await unlink(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw hostError('unlink', path, e);
    });
    const server = createServer({ pauseOnConnect: false });
    await listenOwnerOnly(server, path).catch((e: unknown) => {
      throw hostError('listen', path, e);
    });
    server.on('error', () => {}); // accept errors (EMFILE): the request times out and says so
    try {
      await chmod(path, 0o600);
    } catch (e) {
      server.close();
      throw hostError('chmod', path, e);
    }
    const l = new ShimLauncher(server, path, opts.shimPath ?? defaultShimPath(), opts.attachTimeoutMs ?? ATTACH_TIMEOUT_MS);
    l.process();
    return l;
  }

  /** The launcher's pid (it is restarted on demand if it died). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /**
   * Has the launcher fork a monitor for the instance directory `dir` (it must exist: shim.log goes
   * there), starting from `bootstrap` (the BOOTSTRAP payload) when given; resolves with the
   * monitor's sync connection once it attached.
   */
  launch(dir: string, bootstrap?: Buffer): Promise<Socket> {
    if (this.closed) return Promise.reject(new EngineError('E_SHIM', 'shim launcher is closed'));
    const token = this.newToken();
    let line: string;
    try {
      line = launchRequest(token, dir, bootstrap?.length);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Socket>((resolve, reject) => {
      const proc = this.process();
      const p: Pending = { dir, proc, resolve, reject, seq: ++this.seq, since: performance.now() };
      this.pending.set(token, p);
      this.queue.push(p);
      this.arm();
      // The requests of one launch wave arrive in the same turn of the event loop: one write for
      // all of them (a pipe write each cost the daemon ~0.3 ms of a 1000-container launch).
      const stdin = proc.stdin!;
      if (!stdin.writableCorked) {
        stdin.cork();
        setImmediate(() => stdin.uncork());
      }
      stdin.write(line);
      if (bootstrap) stdin.write(bootstrap);
    });
  }

  /** Stops listening; the launcher process sees EOF and exits. Monitors are not affected. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const token of [...this.pending.keys()]) this.settle(token)?.reject(new EngineError('E_SHIM', 'shim launcher closed'));
    this.server.close();
    unlink(this.socketPath).catch(() => undefined);
    this.proc?.stdin?.end();
    this.proc = undefined;
  }

  /** The running launcher process, started (again) if there is none. */
  private process(): ChildProcess {
    if (this.proc) return this.proc;
    // argv[0] nanomega-launcher: ps (and leak checks looking for nanomega-shim) tell it from monitors.
    const proc = spawn(this.shimPath, ['--launcher', this.socketPath], {
      argv0: 'nanomega-launcher',
      stdio: ['pipe', 'ignore', 'inherit'],
      detached: true,
      env: { PATH: SHIM_PATH_ENV },
    });
    this.proc = proc;
    proc.unref();
    (proc.stdin as Socket).unref();
    proc.stdin!.on('error', () => {}); // EPIPE once it died: 'exit' reports
    let dead = false;
    const gone = (why: string) => {
      if (dead) return;
      dead = true;
      if (this.proc === proc) this.proc = undefined; // the next launch starts a new one
      for (const [token, p] of this.pending) {
        if (p.proc !== proc) continue;
        p.orphaned = setTimeout(
          () => this.settle(token)?.reject(new EngineError('E_SHIM', `shim launcher ${why}; the shim for ${p.dir} did not attach`, { dir: p.dir })),
          ORPHANED_REQUEST_GRACE_MS,
        );
      }
    };
    proc.on('error', (e) => gone(hostError('spawn', this.shimPath, e).message));
    proc.on('exit', (code, signal) => gone(signal ? `was killed by ${signal}` : `exited with status ${code}`));
    return proc;
  }

  /**
   * A random 53-bit token per request: the monitor proves with it which request forked it. A
   * sequential one could be guessed by anyone who can reach launch.sock in time.
   */
  private newToken(): number {
    for (;;) {
      const token = Number(randomBytes(8).readBigUInt64BE() >> 11n);
      if (token > 0 && !this.pending.has(token)) return token;
    }
  }

  private settle(token: number): Pending | undefined {
    const p = this.pending.get(token);
    if (!p) return undefined;
    this.pending.delete(token);
    clearTimeout(p.orphaned);
    if (this.pending.size === 0) {
      clearTimeout(this.watchdog);
      this.watchdog = undefined;
      this.queue = [];
      this.head = 0;
    }
    return p;
  }

  private deadline(p: Pending): number {
    return (p.passed ?? Math.max(p.since, this.lastAttach)) + this.attachTimeoutMs;
  }

  /** `p`'s monitor attached: the launcher is past every request queued before it. */
  private attached(p: Pending): void {
    const now = performance.now();
    this.lastAttach = now;
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.seq <= p.seq) q[this.head++]!.passed ??= now;
    if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * Arms the watchdog for the earliest deadline of the requests waiting. Deadlines only move later
   * (each attach moves them), so one timer for all of them never fires late; when it fires it fails
   * what is due and arms itself for the rest: a pass over the requests every timeout at most.
   */
  private arm(): void {
    if (this.watchdog) return;
    let next = Infinity;
    for (const p of this.pending.values()) if (!p.orphaned) next = Math.min(next, this.deadline(p));
    if (next === Infinity) return;
    this.watchdog = setTimeout(() => this.expire(), Math.max(0, next - performance.now()));
  }

  private expire(): void {
    this.watchdog = undefined;
    const now = performance.now();
    for (const [token, p] of this.pending) {
      if (!p.orphaned && this.deadline(p) <= now) this.settle(token)?.reject(new EngineError('E_SHIM', `shim for ${p.dir} did not attach`, { dir: p.dir }));
    }
    this.arm();
  }

  /**
   * The first frame must be ATTACH with a token we wait for; anything else is dropped. A monitor
   * that got its BOOTSTRAP with the request goes on at once: what it sent after ATTACH is put back
   * on the socket for ShimLaunch.
   */
  private onConnection(sock: Socket): void {
    const reader = new FrameReader();
    const received: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), this.attachTimeoutMs);
    sock.on('error', () => {}); // 'close' follows; ShimLaunch reports it once attached
    sock.once('close', () => clearTimeout(timer));
    const onData = (chunk: Buffer) => {
      let frames: Frame[];
      received.push(chunk);
      try {
        frames = reader.push(chunk);
      } catch {
        done();
        sock.destroy();
        return;
      }
      if (frames.length === 0) return;
      done();
      const token = attachToken(frames[0]!);
      const p = token === undefined ? undefined : this.settle(token);
      if (!p) {
        sock.destroy(); // unknown or late: the monitor sees EOF before EXEC and aborts
        return;
      }
      this.attached(p);
      const rest = Buffer.concat(received).subarray(FRAME_HEADER_BYTES + frames[0]!.payload.length);
      if (rest.length > 0) sock.unshift(rest);
      p.resolve(sock);
    };
    const onEnd = () => {
      done();
      sock.destroy();
    };
    const done = () => {
      clearTimeout(timer);
      sock.pause(); // until ShimLaunch.attach listens
      sock.off('data', onData);
      sock.off('end', onEnd);
    };
    sock.on('data', onData);
    sock.on('end', onEnd);
  }
}
