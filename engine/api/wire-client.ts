/**
 * The client half of the wire protocol, transport-agnostic: request ids, pending calls, event
 * listeners and subscriptions. The CLI and Electron main drive it over the unix socket
 * (engine/api/node/socket-client.ts), the renderer over the web UI's WebSocket, and Electron's preload
 * turns its results back into an EngineBridge with unwrap() on the page's side.
 */
import type { CallName, Calls, EngineBridge, EngineTransport, EventName, Events, Result } from './contract.js';
import { EngineError, type WireError } from './errors.js';
import { FRAME, parseServerFrame, type ClientFrame } from './wire.js';

type Listener = (payload: unknown) => void;

/** The value of a result, or its error as an EngineError with the daemon's code, message and detail. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new EngineError(r.error.code, r.error.message, r.error.detail ?? {});
}

export function unavailable(message: string, detail?: Record<string, string | number>): WireError {
  return { code: 'E_UNAVAILABLE', message, ...(detail ? { detail } : {}) };
}

/** Event listeners by name; `first`/`last` tell when a name gains its first or loses its last listener. */
export class ListenerSet {
  private readonly byName = new Map<string, Set<Listener>>();

  constructor(private readonly edges: { first?: (name: string) => void; last?: (name: string) => void } = {}) {}

  add(name: string, listener: Listener): () => void {
    let set = this.byName.get(name);
    if (!set) {
      set = new Set();
      this.byName.set(name, set);
      this.edges.first?.(name);
    }
    set.add(listener);
    return () => {
      if (!set.delete(listener) || set.size > 0) return;
      this.byName.delete(name);
      this.edges.last?.(name);
    };
  }

  emit(name: string, payload: unknown): void {
    for (const l of this.byName.get(name) ?? []) l(payload);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/**
 * Calls and subscriptions over one connection. `send` writes one frame (the transport frames and
 * encodes it) and returns false when nothing is connected: subscriptions are then sent by
 * `connected()`, and calls fail with E_UNAVAILABLE.
 */
export class WireClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private readonly listeners: ListenerSet;

  constructor(private readonly send: (frame: ClientFrame) => boolean) {
    this.listeners = new ListenerSet({
      first: (name) => this.send({ type: FRAME.subscribe, events: [name] }),
      last: (name) => this.send({ type: FRAME.unsubscribe, events: [name] }),
    });
  }

  /** A call's result; never rejects (a lost connection is an E_UNAVAILABLE result). */
  request(method: string, args: unknown[]): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (!this.send({ type: FRAME.call, id, method, args })) {
        this.pending.delete(id);
        resolve({ ok: false, error: unavailable('not connected to the nanomega daemon') });
      }
    });
  }

  /** The typed call: the value, or an EngineError with the daemon's code. */
  async call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    return unwrap((await this.request(name, args)) as Result<Calls[K]['result']>);
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    return this.listeners.add(name, listener as Listener);
  }

  /** One frame's text from the daemon: a result settles its call, an event goes to its listeners. */
  receive(text: string): void {
    const frame = parseServerFrame(text);
    if (!frame) return; // Best-effort: a malformed frame from the daemon is dropped, not fatal to the client.
    if (frame.type === FRAME.event) {
      this.listeners.emit(frame.name, frame.payload);
      return;
    }
    const settle = this.pending.get(frame.id);
    this.pending.delete(frame.id);
    settle?.(frame.ok ? { ok: true, value: frame.value } : { ok: false, error: frame.error });
  }

  /** The transport (re)connected: subscribe again to every event that has listeners. */
  connected(): void {
    const events = this.listeners.names();
    if (events.length) this.send({ type: FRAME.subscribe, events });
  }

  /** The connection is gone: every call in flight fails with `error`. */
  disconnected(error: WireError = unavailable('connection to the nanomega daemon lost')): void {
    const settles = [...this.pending.values()];
    this.pending.clear();
    for (const settle of settles) settle({ ok: false, error });
  }

  get inFlight(): number {
    return this.pending.size;
  }
}

/** An EngineBridge over something that answers Results (Electron's preload: contextBridge keeps only plain data). */
export function bridgeOf(transport: EngineTransport): EngineBridge {
  return {
    call: async <K extends CallName>(name: K, ...args: Calls[K]['args']) => unwrap((await transport.request(name, args)) as Result<Calls[K]['result']>),
    on: <K extends EventName>(name: K, listener: (payload: Events[K]) => void) => transport.on(name, listener as Listener),
  };
}
