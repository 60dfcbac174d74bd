import type { Server, Socket } from 'node:net';
import type { EventName } from '../api/contract.js';
import { EVENT_NAMES } from '../api/contract.js';
import { encodeFrame, parseClientFrame, protocolError, type ServerFrame } from '../api/wire.js';
import type { Session } from '../language/session.js';
import type { ClientScope, Engine } from '../engine.js';
import { EngineError, toWireError } from '../errors.js';
import { logError } from '../log.js';
import { checkArgs, isCallName } from './arguments.js';
import { LineSocket, listenUnix } from './line-socket.js';
import { meshRun, openSession } from './session.js';
import { RemoteConsoles } from '../cluster/remote-console.js';

/** Console calls that name a session: a remote console's go to the daemon that owns it. */
const REMOTE_CONSOLE_CALLS = new Set(['console.input', 'console.ack', 'console.resize', 'console.close']);

/** Serve the engine contract on a unix socket: one JSON frame per line, both ways (engine/api/wire.ts). */
export function serveSocket(engine: Engine, path: string): Promise<Server> {
  return listenUnix(path, (sock) => new Connection(engine, sock));
}

/** Serve the contract on one connected stream (the unix socket's clients, the cluster's TLS peers). */
export function serveConnection(engine: Engine, sock: Socket): void {
  new Connection(engine, sock);
}

class Connection {
  private readonly lines: LineSocket;
  private readonly subscriptions = new Map<EventName, () => void>();
  private session?: Session;
  private remoteConsoles?: RemoteConsoles;
  /** This client's console sessions and stats watch; dropped when the connection ends. */
  private readonly scope: ClientScope;

  constructor(
    private readonly engine: Engine,
    sock: Socket,
  ) {
    this.scope = engine.openClient();
    this.lines = new LineSocket(
      sock,
      {
        line: (l) => {
          this.onFrame(l).catch((e: unknown) => logError('daemon: frame', e));
        },
        close: () => this.dispose(),
      },
      (limit) => encodeFrame(protocolError(`request line longer than ${limit} bytes; connection closed`)),
    );
  }

  private send(frame: ServerFrame): void {
    this.lines.send(encodeFrame(frame));
  }

  private async onFrame(line: string): Promise<void> {
    const frame = parseClientFrame(line);
    if (!frame) {
      this.send(protocolError('malformed frame: expected one JSON object per line with type call, subscribe or unsubscribe'));
      return;
    }
    if (frame.type === 'subscribe' || frame.type === 'unsubscribe') {
      for (const name of frame.events) {
        if (!(EVENT_NAMES as readonly string[]).includes(name)) continue;
        const ev = name as EventName;
        if (frame.type === 'subscribe' && !this.subscriptions.has(ev)) {
          this.subscriptions.set(
            ev,
            this.engine.on(ev, (payload) => {
              const mine = this.scope.filter(ev, payload);
              if (mine !== undefined) this.send({ type: 'event', name: ev, payload: mine });
            }),
          );
        } else if (frame.type === 'unsubscribe') {
          this.subscriptions.get(ev)?.();
          this.subscriptions.delete(ev);
        }
      }
      return;
    }
    try {
      const value = await this.dispatch(frame.method, frame.args);
      this.send({ type: 'result', id: frame.id, ok: true, value });
    } catch (e) {
      this.send({ type: 'result', id: frame.id, ok: false, error: toWireError(e) });
    }
  }

  /** The only place an error becomes data. */
  private async dispatch(method: string, rawArgs: unknown): Promise<unknown> {
    if (!isCallName(method)) throw new EngineError('E_NOT_FOUND', `no method ${method}`);
    const args = checkArgs(method, rawArgs ?? []);
    if (method === 'cli.exec') {
      this.engine.logs.debug(`cli: ${args[0] as string}`);
      return this.cli().exec(args[0] as string);
    }
    if (method === 'cli.suggest') return this.cli().complete(args[0] as string);
    if (method === 'ns.current') return this.cli().namespace;
    if (method === 'mesh.run') return meshRun(this.engine, args[0] as string, args[1] as string);
    if (method === 'cluster.console.open')
      return this.remote().open(args[0] as string, args[1] as number, (args[2] as number | null) ?? undefined, (args[3] as number | null) ?? undefined);
    if (REMOTE_CONSOLE_CALLS.has(method) && RemoteConsoles.owns(args[0])) return this.remote().forward(method as 'console.input', args);
    const handlers = method in this.scope.handlers ? this.scope.handlers : this.engine.handlers;
    const handler = handlers[method as keyof typeof handlers] as (...a: unknown[]) => Promise<unknown>;
    return handler(...args);
  }

  /** This client's consoles of containers on other hosts of the cluster. */
  private remote(): RemoteConsoles {
    const cluster = this.engine.cluster;
    if (!cluster) throw new EngineError('E_NOT_FOUND', 'this daemon is not in a cluster');
    this.remoteConsoles ??= new RemoteConsoles(
      (host) => cluster.link(host),
      (name, payload) => {
        if (this.subscriptions.has(name)) this.send({ type: 'event', name, payload: payload as never });
      },
    );
    return this.remoteConsoles;
  }

  private cli(): Session {
    this.session ??= openSession(this.engine);
    return this.session;
  }

  private dispose(): void {
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
    this.scope.dispose();
    this.remoteConsoles?.closeAll();
  }
}
