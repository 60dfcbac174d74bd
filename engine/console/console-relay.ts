/**
 * The engine's console relay: any number of client streams per container, each its own monitor
 * connection (console-session.ts), owned by the client connection that opened it and dropped with it.
 */
import type { ConsoleSession, ContainerId } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { isAlive } from '../state/lifecycle.js';
import { ConsoleStream } from './console-session.js';

/** The pty size a monitor starts with (shim config.c), and ours until a client resizes. */
export const DEFAULT_SIZE = { cols: 80, rows: 24 } as const;
/** Largest size accepted (struct winsize holds unsigned shorts). */
const MAX_DIMENSION = 65_535;

/** The console sessions one client opened. */
export type ConsoleOwner = Set<number>;

export class ConsoleRelay {
  private nextSession = 1;
  private readonly streams = new Map<number, { stream?: ConsoleStream; id: ContainerId; owner: ConsoleOwner }>();
  /** Last size set per container (a restarted daemon does not know the old one; 80×24 until told). */
  private readonly sizes = new Map<ContainerId, { cols: number; rows: number }>();

  constructor(private readonly ctx: EngineContext) {}

  async open(owner: ConsoleOwner, id: ContainerId, cols?: number, rows?: number): Promise<ConsoleSession> {
    const c = this.running(id);
    if (cols || rows) this.setSize(c, cols ?? 0, rows ?? 0);
    const size = this.sizes.get(id) ?? DEFAULT_SIZE;
    const session = this.nextSession++;
    // Owned before the first byte can arrive, so the client's event filter lets it through.
    const entry: { stream?: ConsoleStream; id: ContainerId; owner: ConsoleOwner } = { id, owner };
    this.streams.set(session, entry);
    owner.add(session);
    try {
      entry.stream = ConsoleStream.over(await this.ctx.shim.console(this.ctx.store.dir(c.rec.id)), {
        data: (data) => this.ctx.emit('console.data', { session, data }),
        closed: (byClient) => {
          if (!byClient) {
            const reason = entry.stream?.paused ? 'dropped by the monitor: client too slow' : `console of ${c.rec.name} closed`;
            this.ctx.emit('console.closed', { session, reason });
          }
          this.streams.delete(session);
          owner.delete(session);
        },
      });
    } catch (e) {
      this.streams.delete(session);
      owner.delete(session);
      throw e;
    }
    return { session, id, cols: size.cols, rows: size.rows };
  }

  input(owner: ConsoleOwner, session: number, data: string): void {
    this.stream(owner, session).input(data);
  }

  /** The container a client's console session shows. */
  containerOf(owner: ConsoleOwner, session: number): ContainerId | undefined {
    return owner.has(session) ? this.streams.get(session)?.id : undefined;
  }

  /** The pty size last set for a container (80×24 until a client resizes). */
  sizeOf(id: ContainerId): { cols: number; rows: number } {
    return this.sizes.get(id) ?? DEFAULT_SIZE;
  }

  ack(owner: ConsoleOwner, session: number, chars: number): void {
    this.stream(owner, session).ack(chars);
  }

  resize(owner: ConsoleOwner, session: number, cols: number, rows: number): void {
    this.stream(owner, session);
    this.setSize(this.running(this.streams.get(session)!.id), cols, rows);
  }

  close(owner: ConsoleOwner, session: number): void {
    this.stream(owner, session).close();
  }

  /** Drop every stream of a client (its connection closed). */
  closeAll(owner: ConsoleOwner): void {
    for (const session of [...owner]) this.streams.get(session)?.stream?.close();
    owner.clear();
  }

  /** Drop every stream (daemon shutdown; the monitors keep the consoles). */
  closeEverything(): void {
    for (const { stream } of [...this.streams.values()]) stream?.close();
  }

  /** Open streams (tests and leak checks). */
  get size(): number {
    return this.streams.size;
  }

  private stream(owner: ConsoleOwner, session: number): ConsoleStream {
    const s = owner.has(session) ? this.streams.get(session)?.stream : undefined;
    if (!s) throw new EngineError('E_NOT_FOUND', `no console session ${session}`, { session });
    return s;
  }

  private running(id: ContainerId): Container {
    const c = this.ctx.containers.get(id);
    if (!c) throw new EngineError('E_NOT_FOUND', `vm not found: ${id}`, { id });
    if (!isAlive(c.rec.state)) throw new EngineError('E_STATE', `${c.rec.name} is not running (${c.rec.state})`, { id, state: c.rec.state });
    return c;
  }

  private setSize(c: Container, cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > MAX_DIMENSION || rows > MAX_DIMENSION) {
      throw new EngineError('E_CONFIG', `bad console size ${cols}x${rows}`, { cols, rows });
    }
    if (!c.control) throw new EngineError('E_STATE', `${c.rec.name}: no monitor connection`, { id: c.rec.id });
    c.control.resize(cols, rows);
    this.sizes.set(c.rec.id, { cols, rows });
  }
}
