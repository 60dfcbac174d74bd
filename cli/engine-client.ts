import { connect, type Socket } from 'node:net';
import type { CallName, Calls, EngineBridge, EventName, Events, ServerFrame } from '../engine/api/contract.js';
import type { WireError } from '../engine/api/errors.js';
import { socketPath } from '../engine/api/socket.js';
import { EngineError } from '../engine/errors.js';

export { SOCKET_NAME, socketPath } from '../engine/api/socket.js';

/** A client of the daemon socket implementing the shared contract (CLI, tests, Electron main). */
export class EngineClient implements EngineBridge {
  private nextId = 1;
  private buf = '';
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private closed = false;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('close', () => this.fail(new EngineError('E_PROTOCOL', 'connection to the nanomega daemon closed')));
    sock.on('error', () => undefined); // 'close' follows and fails every pending call
  }

  static connect(base: string): Promise<EngineClient> {
    const path = socketPath(base);
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        resolve(new EngineClient(sock));
      });
      sock.once('error', (e: NodeJS.ErrnoException) =>
        reject(new EngineError('E_NOT_FOUND', `no nanomega daemon at ${path} (${e.code}); start one with: sudo nanomega serve --base ${base}`, { path })),
      );
    });
  }

  call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    if (this.closed) return Promise.reject(new EngineError('E_PROTOCOL', 'connection to the nanomega daemon closed'));
    const id = this.nextId++;
    this.sock.write(JSON.stringify({ type: 'call', id, method: name, args }) + '\n');
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      this.sock.write(JSON.stringify({ type: 'subscribe', events: [name] }) + '\n');
    }
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set!.delete(l);
      if (set!.size === 0 && !this.closed) {
        this.listeners.delete(name);
        this.sock.write(JSON.stringify({ type: 'unsubscribe', events: [name] }) + '\n');
      }
    };
  }

  close(): void {
    this.closed = true;
    this.sock.end();
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const frame = JSON.parse(this.buf.slice(0, nl)) as ServerFrame;
      this.buf = this.buf.slice(nl + 1);
      if (frame.type === 'event') {
        for (const l of this.listeners.get(frame.name) ?? []) l(frame.payload);
      } else {
        const p = this.pending.get(frame.id);
        this.pending.delete(frame.id);
        if (!p) continue;
        if (frame.ok) p.resolve(frame.value);
        else p.reject(fromWire(frame.error));
      }
    }
  }

  private fail(e: EngineError): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

function fromWire(w: WireError): EngineError {
  return new EngineError(w.code, w.message, w.detail ?? {});
}
