/**
 * Client of a monitor's `<dir>/control` socket (HELLO, RESIZE, ADDRS, EXITED) and
 * readers of the durable `<dir>/exit` record. Works from any process, so a
 * restarted daemon re-attaches to live monitors through it.
 */
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { EngineError, hostError } from '../errors.js';
import type { NicAddresses } from '../net/network-types.js';
import { FrameReader, ShimMsg, decodeAddrs, encodeFrame, type Frame } from './protocol.js';
import type { ExitRecord, ShimControlHandle, ShimHello } from './shim.js';

export type { ExitRecord, ShimHello, ShimPhase } from './shim.js';

/** Parses "code=N\ntime=MS\n" / "signal=N\ntime=MS\n"; unknown lines are ignored. */
export function parseExitRecord(text: string): ExitRecord {
  const r: ExitRecord = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const k = line.slice(0, eq).trim();
    const v = Number(line.slice(eq + 1).trim());
    if (!Number.isFinite(v)) continue;
    if (k === 'code' || k === 'signal' || k === 'time') r[k] = v;
  }
  return r;
}

/** `<dir>/exit`, or undefined when init has not exited (or no monitor recorded it). */
export async function readExitRecord(dir: string): Promise<ExitRecord | undefined> {
  const path = join(dir, 'exit');
  try {
    return parseExitRecord(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw hostError('read', path, e);
  }
}

function parseHello(text: string): ShimHello | undefined {
  const [m, i, phase] = text.split(' ');
  const monitorPid = Number(m);
  const initPid = Number(i);
  if (!Number.isInteger(monitorPid) || !Number.isInteger(initPid)) return undefined;
  if (phase !== 'starting' && phase !== 'ready' && phase !== 'running') return undefined;
  return { monitorPid, initPid, phase };
}

/** How long addresses() waits for the monitor's answer by default. */
export const ADDRS_TIMEOUT_MS = 2_000;

/** An ADDRS request on the wire; the monitor answers in order. `settle` is gone once it timed out. */
interface AddrsWaiter {
  settle?: (r: { ok: true; payload: Buffer } | { ok: false; error: EngineError }) => void;
}

/** ADDRS answer → NicAddresses as parseAddrJson gives them: bare addresses, lo left out. */
function toNicAddresses(payload: Buffer): NicAddresses[] {
  const bare = (cidr: string) => cidr.replace(/\/\d+$/, '');
  return decodeAddrs(payload)
    .filter((i) => i.ifname !== 'lo')
    .map((i) => ({ ifname: i.ifname, mac: i.mac, ip: i.ip.map(bare), ip6: i.ip6.map(bare) }));
}

export class ShimControl implements ShimControlHandle {
  private exitRecord: ExitRecord | undefined;
  private readonly addrsWaiters: AddrsWaiter[] = [];
  /**
   * undefined until the monitor answers or misses an ADDRS; false once one timed out with no answer
   * ever (a monitor from before ADDRS ignores it): later calls then fail at once, until a late answer.
   */
  private addrsAnswers: boolean | undefined;
  private readonly exitCbs: ((r: ExitRecord) => void)[] = [];
  private readonly closeCbs: (() => void)[] = [];
  private isClosed = false;

  private constructor(
    private readonly sock: Socket,
    readonly hello: ShimHello,
    private readonly reader: FrameReader,
  ) {}

  /** Connects to `<dir>/control` and waits for HELLO. */
  static connect(dir: string, opts: { timeoutMs?: number } = {}): Promise<ShimControl> {
    const path = join(dir, 'control');
    return ShimControl.handshake(connect(path), path, opts.timeoutMs ?? 5000, new FrameReader(), [], (e) => hostError('connect', path, e));
  }

  /**
   * A launch's sync connection, which the monitor goes on serving as a control connection once it
   * handed init EXEC (HELLO first): `reader` and `early` are what the handshake read past READY.
   */
  static adopt(sock: Socket, what: string, reader: FrameReader, early: Frame[], opts: { timeoutMs?: number } = {}): Promise<ShimControl> {
    return ShimControl.handshake(sock, what, opts.timeoutMs ?? 5000, reader, early, (e) => hostError('read', what, e));
  }

  private static handshake(
    sock: Socket,
    what: string,
    timeoutMs: number,
    reader: FrameReader,
    early: Frame[],
    failed: (e: Error) => EngineError,
  ): Promise<ShimControl> {
    return new Promise((resolve, reject) => {
      let ctl: ShimControl | undefined;
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new EngineError('E_SHIM', `no HELLO on ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.on('error', (e) => {
        clearTimeout(timer);
        if (!ctl) reject(failed(e));
      });
      sock.on('close', () => {
        clearTimeout(timer);
        if (!ctl) reject(new EngineError('E_SHIM', `${what}: closed before HELLO`));
      });
      const take = (frames: Frame[]) => {
        for (const f of frames) {
          if (!ctl) {
            const hello = f.type === ShimMsg.HELLO ? parseHello(f.payload.toString('latin1')) : undefined;
            clearTimeout(timer);
            if (!hello) {
              sock.destroy();
              reject(new EngineError('E_SHIM', `${what}: expected HELLO`));
              return;
            }
            ctl = new ShimControl(sock, hello, reader);
            const c = ctl;
            sock.on('close', () => c.deliverClose());
            resolve(ctl);
          } else ctl.deliver(f);
        }
      };
      sock.on('data', (chunk: Buffer) => {
        let frames;
        try {
          frames = reader.push(chunk);
        } catch (e) {
          sock.destroy();
          if (!ctl) reject(new EngineError('E_SHIM', `${what}: ${(e as Error).message}`));
          return;
        }
        take(frames);
      });
      take(early);
      // The monitor may have said everything and closed before the handover.
      if (sock.destroyed) {
        if (ctl) ctl.deliverClose();
        else reject(new EngineError('E_SHIM', `${what}: closed before HELLO`));
      }
      sock.resume();
    });
  }

  /** Sets the pty window size; the container gets SIGWINCH. */
  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > 65535 || rows > 65535)
      throw new RangeError(`bad console size ${cols}x${rows}`);
    if (!this.sock.destroyed) this.sock.write(encodeFrame(ShimMsg.RESIZE, `${cols} ${rows}`));
  }

  /**
   * The container's interfaces and addresses, read by the monitor from the container's own network
   * namespace over rtnetlink (ADDRS): no process per query. lo is left out; addresses are bare
   * (as parseAddrJson gives them). Rejects with E_SHIM when the monitor fails the query, does not
   * answer within `timeoutMs`, or the connection is closed.
   */
  addresses(opts: { timeoutMs?: number } = {}): Promise<NicAddresses[]> {
    const timeoutMs = opts.timeoutMs ?? ADDRS_TIMEOUT_MS;
    if (this.isClosed || this.sock.destroyed) return Promise.reject(new EngineError('E_SHIM', 'monitor control connection is closed'));
    if (this.addrsAnswers === false) return Promise.reject(new EngineError('E_SHIM', `monitor ${this.hello.monitorPid} does not answer ADDRS`));
    return new Promise((resolve, reject) => {
      const w: AddrsWaiter = {};
      const timer = setTimeout(() => {
        // The entry stays queued: a late answer is still matched to it, and dropped.
        w.settle = undefined;
        this.addrsAnswers ??= false;
        reject(new EngineError('E_SHIM', `monitor ${this.hello.monitorPid}: no ADDRS answer within ${timeoutMs} ms`));
      }, timeoutMs);
      w.settle = (r) => {
        clearTimeout(timer);
        w.settle = undefined;
        if (!r.ok) return reject(r.error);
        try {
          resolve(toNicAddresses(r.payload));
        } catch (e) {
          reject(new EngineError('E_SHIM', `monitor ${this.hello.monitorPid}: read addresses: ${(e as Error).message}`));
        }
      };
      this.addrsWaiters.push(w);
      this.sock.write(encodeFrame(ShimMsg.ADDRS));
    });
  }

  /** Called once when init exits (immediately if it already did on this connection). */
  onExit(cb: (record: ExitRecord) => void): void {
    if (this.exitRecord) {
      const r = this.exitRecord;
      queueMicrotask(() => cb(r));
    } else this.exitCbs.push(cb);
  }

  /**
   * Called once when the connection ends: after EXITED (the monitor exits), when the monitor
   * died without one (SIGKILL: fall back to readExitRecord), or after close().
   */
  onClose(cb: () => void): void {
    if (this.isClosed) queueMicrotask(cb);
    else this.closeCbs.push(cb);
  }

  close(): void {
    this.sock.destroy();
  }

  /** A frame after HELLO. */
  private deliver(f: Frame): void {
    if (f.type === ShimMsg.EXITED) this.deliverExit(parseExitRecord(f.payload.toString('utf8')));
    else if (f.type === ShimMsg.ADDRS) {
      this.addrsAnswers = true;
      this.addrsWaiters.shift()?.settle?.({ ok: true, payload: f.payload });
    }
  }

  private deliverClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // Made only when someone waits: an error's stack trace costs tens of µs, and a mass kill closes
    // a thousand connections.
    const waiting = this.addrsWaiters.splice(0);
    const error = waiting.length ? new EngineError('E_SHIM', `monitor ${this.hello.monitorPid}: control connection closed before the ADDRS answer`) : undefined;
    for (const w of waiting) w.settle?.({ ok: false, error: error! });
    for (const cb of this.closeCbs.splice(0)) cb();
  }

  private deliverExit(r: ExitRecord): void {
    if (this.exitRecord) return;
    this.exitRecord = r;
    for (const cb of this.exitCbs.splice(0)) cb(r);
  }
}
