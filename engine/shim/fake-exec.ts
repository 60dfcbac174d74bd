/**
 * Scripted exec sessions for FakeShim: a test says what each command prints and how it ends
 * (`run`), or leaves it hanging until it says so (`hold`). Detached sessions (a token, detach) keep
 * their outcome after their client goes, like the monitor's: a later attach replays what was not
 * delivered yet, or only the end once it was (the monitor's tombstone), and a token never started
 * answers ENOENT — so cc's crash recovery runs in unit tests.
 */
import { constants } from 'node:os';
import { EngineError } from '../errors.js';
import type { ExecSpec } from './protocol.js';
import type { ExecExit, ExecHandlers, ShimExecHandle } from './shim.js';

/** How a scripted command ends; `error`: it could not run (E_EXEC with that errno). */
export interface FakeExecOutcome {
  stdout?: string;
  stderr?: string;
  code?: number;
  signal?: number;
  error?: { message: string; errno: number };
}

export interface FakeExecCall {
  dir: string;
  spec?: ExecSpec;
  token?: string;
  attach: boolean;
  /** What was written to its stdin (put). */
  stdin: string;
}

interface Session {
  call: FakeExecCall;
  outcome: Promise<FakeExecOutcome>;
  /** Its end was delivered to a client: an attach gets only the end. */
  told: boolean;
  pid: number;
  killed?: (signo: number) => void;
}

class FakeExecHandle implements ShimExecHandle {
  readonly exit: Promise<ExecExit>;
  started: { hostPid: number; pid: number } | undefined;
  private startedWaiters: ((p: { hostPid: number; pid: number } | undefined) => void)[] = [];
  private ended?: () => void;
  private closed = false;

  constructor(
    private readonly session: Session | undefined,
    handlers: ExecHandlers,
    replayOutput: boolean,
    missing?: EngineError,
  ) {
    const stdinClosed = new Promise<void>((resolve) => (this.ended = resolve));
    this.exit = (async () => {
      await Promise.resolve();
      if (missing || !session) throw missing ?? new EngineError('E_EXEC', 'no such exec session', { errno: constants.errno.ENOENT });
      const needsStdin = session.call.spec?.put !== undefined;
      this.started = { hostPid: 50_000 + session.pid, pid: session.pid };
      handlers.started?.(this.started);
      for (const w of this.startedWaiters.splice(0)) w(this.started);
      if (needsStdin) await stdinClosed;
      const o = await session.outcome;
      if (o.error) throw new EngineError('E_EXEC', o.error.message, { errno: o.error.errno });
      if (replayOutput && !this.closed) {
        if (o.stdout) handlers.stdout?.(Buffer.from(o.stdout));
        if (o.stderr) handlers.stderr?.(Buffer.from(o.stderr));
      }
      if (this.closed) return new Promise<ExecExit>(() => undefined); // the client went: it never hears the end
      session.told = true;
      return o.signal !== undefined ? { signal: o.signal } : { code: o.code ?? 0 };
    })();
    this.exit.catch(() => undefined);
    this.exit
      .finally(() => {
        for (const w of this.startedWaiters.splice(0)) w(this.started);
      })
      .catch(() => undefined);
  }

  whenStarted(): Promise<{ hostPid: number; pid: number } | undefined> {
    if (this.started) return Promise.resolve(this.started);
    return new Promise((resolve) => this.startedWaiters.push(resolve));
  }

  async write(data: Buffer | string): Promise<void> {
    if (this.session) this.session.call.stdin += data.toString();
  }

  end(): void {
    this.ended?.();
  }

  signal(signo: number): void {
    this.session?.killed?.(signo);
  }

  resize(): void {}
  pause(): void {}
  resume(): void {}

  close(): void {
    this.closed = true;
  }
}

export class FakeExecs {
  readonly calls: FakeExecCall[] = [];
  /** What each new command does; by default it prints nothing and exits 0. */
  run: (call: FakeExecCall) => FakeExecOutcome | Promise<FakeExecOutcome> = () => ({ code: 0 });
  private readonly sessions = new Map<string, Session>();
  private readonly handles = new Set<FakeExecHandle>();
  private nextPid = 2;

  constructor(private readonly running: (dir: string) => boolean) {}

  async start(dir: string, spec: ExecSpec, handlers: ExecHandlers = {}): Promise<ShimExecHandle> {
    const call: FakeExecCall = { dir, spec: structuredClone(spec), token: spec.token, attach: false, stdin: '' };
    this.calls.push(call);
    if (!this.running(dir)) {
      return new FakeExecHandle(undefined, handlers, true, new EngineError('E_EXEC', 'the container is not running', { errno: constants.errno.ESRCH }));
    }
    let kill: (signo: number) => void = () => undefined;
    const killed = new Promise<FakeExecOutcome>((resolve) => (kill = (signo) => resolve({ signal: signo })));
    const session: Session = {
      call,
      outcome: Promise.race([Promise.resolve().then(() => this.run(call)), killed]),
      told: false,
      pid: this.nextPid++,
      killed: kill,
    };
    if (spec.token !== undefined && spec.detach) this.sessions.set(`${dir} ${spec.token}`, session);
    return this.track(new FakeExecHandle(session, handlers, true));
  }

  async attach(dir: string, token: string, handlers: ExecHandlers = {}): Promise<ShimExecHandle> {
    this.calls.push({ dir, token, attach: true, stdin: '' });
    const s = this.sessions.get(`${dir} ${token}`);
    if (!s || !this.running(dir)) return new FakeExecHandle(undefined, handlers, true);
    return this.track(new FakeExecHandle(s, handlers, !s.told));
  }

  private track(h: FakeExecHandle): FakeExecHandle {
    this.handles.add(h);
    h.exit.finally(() => this.handles.delete(h)).catch(() => undefined);
    return h;
  }

  /** The daemon died: every client connection is gone (detached sessions live on, the others are killed). */
  disconnectAll(): void {
    for (const h of this.handles) h.close();
    this.handles.clear();
  }

  /** The sessions of a container that died (its monitor took them along). */
  forget(dir: string): void {
    for (const k of [...this.sessions.keys()]) if (k.startsWith(`${dir} `)) this.sessions.delete(k);
  }

  /** Commands that ran (not attaches), in order. */
  get runs(): FakeExecCall[] {
    return this.calls.filter((c) => !c.attach);
  }
}
