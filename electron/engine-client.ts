import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ClientFrame, EventName, Result, ServerFrame } from '../engine/api/contract.js';

/** Same file name as the daemon's (cli/engine-client.ts); electron/ may import only engine/api. */
export const SOCKET_NAME = 'nanomega.sock';
export const DEFAULT_BASE = '/run/nanomega';

export function engineSocketPath(base = process.env.NANOMEGA_BASE || DEFAULT_BASE): string {
  return join(base, SOCKET_NAME);
}

/**
 * One connection to the daemon socket (JSON lines). It never throws: when the daemon is absent or goes
 * away, calls resolve to E_UNAVAILABLE-style results the UI can show. Each window gets its own
 * connection, so its console sessions, cli session and stats.watch are its own.
 */
export class EngineConnection {
  private sock?: Socket;
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private readonly subscribed = new Set<string>();
  private connected = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly onEvent: (name: EventName, payload: unknown) => void,
  ) {}

  /** Connect (once); true when the daemon answers. */
  async open(): Promise<boolean> {
    if (this.connected) return true;
    return new Promise((resolve) => {
      const sock = connect(this.path);
      sock.setEncoding('utf8');
      sock.once('connect', () => {
        this.sock = sock;
        this.connected = true;
        if (this.subscribed.size) this.write({ type: 'subscribe', events: [...this.subscribed] });
        resolve(true);
      });
      sock.on('data', (d: string) => this.onData(d));
      sock.on('error', () => resolve(false));
      sock.on('close', () => {
        this.connected = false;
        this.sock = undefined;
        for (const p of this.pending.values()) p(unavailable(this.path, 'connection to the nanomega daemon lost'));
        this.pending.clear();
      });
    });
  }

  async call(method: string, args: unknown[]): Promise<Result<unknown>> {
    if (this.closed) return unavailable(this.path, 'connection closed');
    if (!this.connected && !(await this.open())) return unavailable(this.path, `no nanomega daemon answers on ${this.path}`);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.write({ type: 'call', id, method, args });
    });
  }

  subscribe(name: EventName): void {
    if (this.subscribed.has(name)) return;
    this.subscribed.add(name);
    if (this.connected) this.write({ type: 'subscribe', events: [name] });
  }

  unsubscribe(name: EventName): void {
    if (!this.subscribed.delete(name)) return;
    if (this.connected) this.write({ type: 'unsubscribe', events: [name] });
  }

  close(): void {
    this.closed = true;
    this.sock?.end();
  }

  private write(frame: ClientFrame): void {
    this.sock?.write(JSON.stringify(frame) + '\n');
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      let frame: ServerFrame;
      try {
        frame = JSON.parse(line) as ServerFrame;
      } catch {
        continue; // Best-effort: a malformed line from the daemon is dropped, not fatal to the app.
      }
      if (frame.type === 'event') this.onEvent(frame.name as EventName, frame.payload);
      else {
        const p = this.pending.get(frame.id);
        this.pending.delete(frame.id);
        p?.(frame.ok ? { ok: true, value: frame.value } : { ok: false, error: frame.error });
      }
    }
  }
}

function unavailable(path: string, message: string): Result<never> {
  // E_NOT_FOUND is the contract's code for a missing daemon socket (cli/engine-client.ts does the same).
  return { ok: false, error: { code: 'E_NOT_FOUND', message, detail: { path } } };
}

/** True when a daemon answers on the socket. */
export function daemonAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
