/**
 * The wire protocol over the daemon's unix socket, for Node clients (CLI, Electron main, tests,
 * benches). Only the socket glue lives here; framing, frames and call tracking are the pure
 * engine/api/wire.ts and wire-client.ts.
 */
import { connect, type Socket } from 'node:net';
import type { CallName, Calls, EngineBridge, EngineTransport, EventName, Events, Result } from '../contract.js';
import { EngineError } from '../errors.js';
import { unavailable, WireClient } from '../wire-client.js';
import { encodeLine, LineSplitter, LineTooLong, MAX_REPLY_BYTES, socketPath } from '../wire.js';

/** A connected unix socket, or an E_UNAVAILABLE EngineError saying how to start a daemon. */
export function connectSocket(path: string, hint = 'start one with: sudo nanomega serve'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) =>
      reject(new EngineError('E_UNAVAILABLE', `no nanomega daemon at ${path} (${e.code ?? e.message}); ${hint}`, { path })),
    );
  });
}

/**
 * Feeds a connected stream to a WireClient: whole lines in, an over-long reply ends the stream, and its
 * close fails every call in flight with `lost` (the daemon socket here, a peer daemon's TLS link in
 * engine/cluster). `onClose` runs first, for the owner to forget the stream.
 */
export function attachWire(
  sock: Socket,
  wire: WireClient,
  lost: string,
  detail: Record<string, string | number> = {},
  onClose: () => void = () => undefined,
): void {
  const lines = new LineSplitter(MAX_REPLY_BYTES);
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    try {
      for (const line of lines.push(d)) wire.receive(line);
    } catch (e) {
      if (!(e instanceof LineTooLong)) throw e;
      sock.destroy();
    }
  });
  sock.on('error', () => undefined); // 'close' follows and fails every call in flight
  sock.on('close', () => {
    onClose();
    wire.disconnected(unavailable(lost, detail));
  });
  wire.connected();
}

/** True when something answers on the socket. */
export function answers(path: string): Promise<boolean> {
  return connectSocket(path).then(
    (s) => {
      s.destroy();
      return true;
    },
    () => false,
  );
}

/**
 * One connection to the daemon socket. `connect()` fails at once when no daemon answers (the CLI);
 * `lazy()` connects on the first call and again after the daemon went away, and never throws: calls
 * then resolve to E_UNAVAILABLE results (Electron main, whose UI shows them).
 */
export class EngineClient implements EngineBridge, EngineTransport {
  private sock?: Socket;
  private opening?: Promise<boolean>;
  private closed = false;
  private readonly wire: WireClient;

  private constructor(
    readonly path: string,
    private readonly reconnect: boolean,
  ) {
    this.wire = new WireClient((frame) => {
      if (!this.sock || this.sock.destroyed) return false;
      this.sock.write(encodeLine(frame));
      return true;
    });
  }

  /** Connect to `<base>/nanomega.sock` now; E_UNAVAILABLE when nothing answers. */
  static async connect(base: string): Promise<EngineClient> {
    const c = new EngineClient(socketPath(base), false);
    c.attach(await connectSocket(c.path, `start one with: sudo nanomega serve --base ${base}`));
    return c;
  }

  /** A client of the socket at `path` that connects when first used. */
  static lazy(path: string): EngineClient {
    return new EngineClient(path, true);
  }

  /** Connect if not connected; true when the daemon answers. */
  open(): Promise<boolean> {
    if (this.sock && !this.sock.destroyed) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    this.opening ??= connectSocket(this.path)
      .then(
        (s) => {
          this.attach(s);
          return true;
        },
        () => false,
      )
      .finally(() => (this.opening = undefined));
    return this.opening;
  }

  async request(method: string, args: unknown[]): Promise<Result<unknown>> {
    if (this.closed) return { ok: false, error: unavailable('connection closed', { path: this.path }) };
    if (this.reconnect && !(await this.open())) {
      return { ok: false, error: unavailable(`no nanomega daemon answers on ${this.path}`, { path: this.path }) };
    }
    return this.wire.request(method, args);
  }

  async call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    const r = (await this.request(name, args)) as Result<Calls[K]['result']>;
    if (r.ok) return r.value;
    throw new EngineError(r.error.code, r.error.message, r.error.detail ?? {});
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
  on(name: string, listener: (payload: unknown) => void): () => void;
  on(name: string, listener: (payload: unknown) => void): () => void {
    return this.wire.on(name as EventName, listener);
  }

  close(): void {
    this.closed = true;
    this.sock?.end();
  }

  private attach(sock: Socket): void {
    this.sock = sock;
    attachWire(sock, this.wire, 'connection to the nanomega daemon lost', { path: this.path }, () => {
      if (this.sock === sock) this.sock = undefined;
    });
  }
}
