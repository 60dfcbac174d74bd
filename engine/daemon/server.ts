import { chmod, chown, readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { ClientFrame, EventName, ServerFrame } from '../api/contract.js';
import { EVENT_NAMES } from '../api/contract.js';
import { CliSession } from '../language/session.js';
import type { ClientScope, Engine } from '../engine.js';
import { EngineError, toWireError } from '../errors.js';
import { checkArgs, isCallName } from './arguments.js';

/** Socket file mode: root and the nanomega group (design.md §1). */
const SOCKET_MODE = 0o660;
/** A client that lets this much unread output pile up is dropped, never allowed to grow the daemon. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Longest request line accepted. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Serve the engine contract on a unix socket: one JSON frame per line, both ways. */
export async function serveSocket(engine: Engine, path: string): Promise<Server> {
  const server = createServer((sock) => new Connection(engine, sock));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, SOCKET_MODE);
  const gid = await groupId('nanomega');
  if (gid !== undefined) await chown(path, 0, gid);
  return server;
}

async function groupId(name: string): Promise<number | undefined> {
  const line = (await readFile('/etc/group', 'utf8').catch(() => '')).split('\n').find((l) => l.startsWith(`${name}:`));
  return line ? Number(line.split(':')[2]) : undefined;
}

class Connection {
  private buf = '';
  private readonly subscriptions = new Map<EventName, () => void>();
  private session?: CliSession;
  /** This client's console sessions and stats watch; dropped when the connection ends. */
  private readonly scope: ClientScope;

  constructor(
    private readonly engine: Engine,
    private readonly sock: Socket,
  ) {
    this.scope = engine.openClient();
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('close', () => this.dispose());
    sock.on('error', () => this.dispose());
  }

  private onData(d: string): void {
    this.buf += d;
    if (this.buf.length > MAX_LINE_BYTES && !this.buf.includes('\n')) {
      this.sock.destroy();
      return;
    }
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.trim()) void this.onFrame(line);
    }
  }

  private send(frame: ServerFrame): void {
    if (this.sock.destroyed) return;
    if (this.sock.writableLength > MAX_PENDING_BYTES) {
      this.sock.destroy();
      return;
    }
    this.sock.write(JSON.stringify(frame) + '\n');
  }

  private async onFrame(line: string): Promise<void> {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(line) as ClientFrame;
    } catch {
      this.send({ type: 'result', id: -1, ok: false, error: { code: 'E_PROTOCOL', message: 'malformed JSON frame' } });
      return;
    }
    if (frame.type === 'subscribe' || frame.type === 'unsubscribe') {
      for (const name of frame.events ?? []) {
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
    if (frame.type !== 'call') return;
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
    if (method === 'cli.exec') return this.cli().exec(args[0] as string);
    const handlers = method in this.scope.handlers ? this.scope.handlers : this.engine.handlers;
    const handler = handlers[method as keyof typeof handlers] as (...a: unknown[]) => Promise<unknown>;
    return handler(...args);
  }

  private cli(): CliSession {
    this.session ??= new CliSession({
      engine: { call: (name, ...args) => (this.engine.handlers[name] as (...a: unknown[]) => Promise<never>)(...args) },
      config: this.engine.config,
      env: process.env,
      hostname: hostname(),
      runShell: async (cmd) => this.engine.ctx.host.run(['/bin/sh', '-c', cmd]),
    });
    return this.session;
  }

  private dispose(): void {
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
    this.scope.dispose();
  }
}
