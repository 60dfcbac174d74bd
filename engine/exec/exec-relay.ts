/**
 * Streamed commands (`nanomega exec`, the GUI): each owned by the client connection that started it,
 * killed when that client goes. Output is relayed as exec.output events with per-stream flow control:
 * the monitor connection is paused above EXEC_HIGH_BYTES unacknowledged bytes and resumed below
 * EXEC_LOW_BYTES, so the monitor stops reading the process's pipes and the process blocks, instead
 * of the daemon buffering.
 */
import type { ExecOptions, ExecSession } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { ShimExecHandle } from '../shim/shim.js';
import { execSpec, findContainer, startExec } from './run.js';

export const EXEC_HIGH_BYTES = 1 << 20;
export const EXEC_LOW_BYTES = 256 << 10;
/** Largest stdin chunk one exec.input call may carry (base64 of 4 MiB fits the daemon's line limit). */
const MAX_INPUT_BYTES = 4 << 20;

/** The exec sessions one client opened. */
export type ExecOwner = Set<number>;

interface Stream {
  owner: ExecOwner;
  x?: ShimExecHandle;
  unacked: number;
  paused: boolean;
  /** stdin writes, in order. */
  input: Promise<void>;
}

export class ExecRelay {
  private nextSession = 1;
  private readonly streams = new Map<number, Stream>();

  constructor(private readonly ctx: EngineContext) {}

  async start(owner: ExecOwner, target: string, argv: string[], opts: ExecOptions = {}, ns?: string): Promise<ExecSession> {
    const c = findContainer(this.ctx, target, ns);
    const spec = execSpec(argv, opts);
    const session = this.nextSession++;
    const st: Stream = { owner, unacked: 0, paused: false, input: Promise.resolve() };
    this.streams.set(session, st);
    owner.add(session);
    const output = (stream: 'stdout' | 'stderr') => (b: Buffer) => {
      st.unacked += b.length;
      if (!st.paused && st.unacked > EXEC_HIGH_BYTES) {
        st.paused = true;
        st.x?.pause();
      }
      this.ctx.emit('exec.output', { session, stream, data: b.toString('base64') });
    };
    try {
      st.x = await startExec(this.ctx, c, spec, { stdout: output('stdout'), stderr: output('stderr') }, 'exec');
    } catch (e) {
      this.drop(session);
      throw e;
    }
    st.x.exit
      .then(
        (r) => this.ctx.emit('exec.exit', { session, ...r }),
        (e: Error) => this.ctx.emit('exec.exit', { session, error: e.message }),
      )
      .finally(() => this.drop(session));
    return { session, id: c.rec.id, name: c.rec.name };
  }

  input(owner: ExecOwner, session: number, base64: string): Promise<void> {
    const st = this.stream(owner, session);
    const data = Buffer.from(base64, 'base64');
    if (data.length > MAX_INPUT_BYTES)
      throw new EngineError('E_CONFIG', `exec input: ${data.length} bytes in one call (at most ${MAX_INPUT_BYTES})`, { field: 'data' });
    st.input = st.input.then(() => st.x?.write(data));
    return st.input;
  }

  end(owner: ExecOwner, session: number): Promise<void> {
    const st = this.stream(owner, session);
    st.input = st.input.then(() => st.x?.end());
    return st.input;
  }

  signal(owner: ExecOwner, session: number, signo: number): void {
    if (!Number.isInteger(signo) || signo < 1 || signo > 64)
      throw new EngineError('E_CONFIG', `exec signal: ${signo} is not 1..64`, { field: 'signal', value: signo });
    this.stream(owner, session).x?.signal(signo);
  }

  resize(owner: ExecOwner, session: number, cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > 65535 || rows > 65535) {
      throw new EngineError('E_CONFIG', `exec resize: ${cols}x${rows} is not a terminal size`, { field: 'size', value: `${cols}x${rows}` });
    }
    this.stream(owner, session).x?.resize(cols, rows);
  }

  ack(owner: ExecOwner, session: number, bytes: number): void {
    const st = this.stream(owner, session);
    st.unacked = Math.max(0, st.unacked - Math.max(0, bytes));
    if (st.paused && st.unacked < EXEC_LOW_BYTES) {
      st.paused = false;
      st.x?.resume();
    }
  }

  close(owner: ExecOwner, session: number): void {
    this.stream(owner, session);
    this.streams.get(session)?.x?.close();
    this.drop(session);
  }

  /** The client is gone: kill its commands. */
  closeAll(owner: ExecOwner): void {
    for (const session of [...owner]) this.close(owner, session);
  }

  private stream(owner: ExecOwner, session: number): Stream {
    const st = this.streams.get(session);
    if (!st || st.owner !== owner) throw new EngineError('E_NOT_FOUND', `no exec session ${session}`, { session });
    return st;
  }

  private drop(session: number): void {
    const st = this.streams.get(session);
    if (!st) return;
    this.streams.delete(session);
    st.owner.delete(session);
  }
}
