import type { EngineBridge } from '../../engine/api/contract';
import { EngineError } from '../../engine/api/errors';
import { unavailable, WireClient } from '../../engine/api/wire-client';
import { encodeFrame } from '../../engine/api/wire';
import { webProtocols } from '../../engine/api/web-auth';
import { webToken } from './web-token';

/** A failed call, with the engine's code and message (already written for a person). */
export { EngineError as EngineCallError };

/** Wait between reconnect attempts; the page keeps working when the daemon restarts. */
const RECONNECT_MS = 1_000;

/**
 * EngineBridge over the web UI's WebSocket (`nanomega serve --web`): the wire library's client with
 * one frame per message. The token is offered as a subprotocol at each (re)connect (web-token.ts).
 * Calls made while the socket is down wait for it (the page loads before it connects).
 */
export function createWebBridge(url = defaultUrl(), onStatus?: (connected: boolean) => void): EngineBridge {
  const token = webToken();
  let ws: WebSocket | undefined;
  let open = false;
  const queue: string[] = [];
  const wire = new WireClient((frame) => {
    const text = encodeFrame(frame);
    if (open && ws) ws.send(text);
    else if (frame.type === 'call') queue.push(text); // subscriptions are re-sent by connected()
    return true;
  });

  const connect = () => {
    ws = new WebSocket(url, webProtocols(token));
    ws.onopen = () => {
      open = true;
      onStatus?.(true);
      wire.connected();
      for (const t of queue.splice(0)) ws!.send(t);
    };
    ws.onmessage = (m) => wire.receive(String(m.data));
    ws.onclose = () => {
      const wasOpen = open;
      open = false;
      queue.length = 0; // calls in flight fail below
      wire.disconnected(unavailable('connection to the nanomega daemon lost'));
      if (wasOpen) onStatus?.(false);
      setTimeout(connect, RECONNECT_MS);
    };
  };
  connect();
  return { call: (name, ...args) => wire.call(name, ...args), on: (name, listener) => wire.on(name, listener) };
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/engine`;
}
