import type { CallName, Calls, ClientFrame, EngineBridge, EventName, Events, ServerFrame } from '../../engine/api/contract';
import type { ErrorCode, WireError } from '../../engine/api/errors';

/** A failed call, with the engine's code and message (already written for a person). */
export class EngineCallError extends Error {
  readonly code: ErrorCode | 'E_UNAVAILABLE';
  readonly detail?: Record<string, string | number>;
  constructor(e: WireError | { code: 'E_UNAVAILABLE'; message: string; detail?: undefined }) {
    super(e.message);
    this.name = 'EngineCallError';
    this.code = e.code;
    this.detail = e.detail;
  }
}

/** Wait between reconnect attempts; the page keeps working when the daemon restarts. */
const RECONNECT_MS = 1_000;

/**
 * EngineBridge over the web UI's WebSocket (`nanomega serve --web`). The token travels in the
 * HttpOnly cookie set on first load, so this script never sees it.
 */
export function createWebBridge(url = defaultUrl(), onStatus?: (connected: boolean) => void): EngineBridge {
  let ws: WebSocket | undefined;
  let nextId = 1;
  let open = false;
  const queue: string[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const send = (frame: ClientFrame) => {
    const text = JSON.stringify(frame);
    if (open && ws) ws.send(text);
    else queue.push(text);
  };

  const connect = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      open = true;
      onStatus?.(true);
      if (listeners.size) ws!.send(JSON.stringify({ type: 'subscribe', events: [...listeners.keys()] }));
      for (const t of queue.splice(0)) ws!.send(t);
    };
    ws.onmessage = (m) => {
      const frame = JSON.parse(String(m.data)) as ServerFrame;
      if (frame.type === 'event') {
        for (const l of listeners.get(frame.name) ?? []) l(frame.payload);
        return;
      }
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.value);
      else p.reject(new EngineCallError(frame.error));
    };
    ws.onclose = () => {
      const wasOpen = open;
      open = false;
      queue.length = 0; // subscriptions are re-sent on open; calls in flight fail below
      for (const p of pending.values()) p.reject(new EngineCallError({ code: 'E_UNAVAILABLE', message: 'connection to the nanomega daemon lost' }));
      pending.clear();
      if (wasOpen) onStatus?.(false);
      setTimeout(connect, RECONNECT_MS);
    };
  };
  connect();

  return {
    call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send({ type: 'call', id, method: name, args });
      });
    },
    on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
        if (open) send({ type: 'subscribe', events: [name] });
      }
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => {
        set!.delete(l);
        if (set!.size === 0) {
          listeners.delete(name);
          if (open) send({ type: 'unsubscribe', events: [name] });
        }
      };
    },
  };
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/engine`;
}
