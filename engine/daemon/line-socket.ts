import { chmod, chown, rename, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { DAEMON_GROUP, groupId } from '../host/groups.js';
import { listenOwnerOnly } from '../host/unix-listen.js';
import { LineSplitter, LineTooLong, MAX_LINE_BYTES, MAX_PENDING_BYTES } from '../api/wire.js';

/** Socket file mode: root and the nanomega group (design.md §1). */
const SOCKET_MODE = 0o660;

export interface LineHandlers {
  /** One line from the client, without its newline. */
  line(text: string): void;
  /** The connection ended (either side). */
  close(): void;
}

/**
 * One client of a line-framed unix socket (the daemon socket and the minimega socket): lines in,
 * lines out. A client that sends a line longer than MAX_LINE_BYTES gets `tooLong`'s last words and
 * is dropped; one that lets MAX_PENDING_BYTES of output pile up unread is dropped, so no client can
 * grow the daemon or slow the others.
 */
export class LineSocket {
  constructor(
    private readonly sock: Socket,
    handlers: LineHandlers,
    tooLong: (limit: number) => string | undefined = () => undefined,
    /** What ends a request: a newline (the daemon socket), or minimega's JSON values (minimega-framing.ts). */
    private readonly lines: { push(chunk: string): string[] } = new LineSplitter(MAX_LINE_BYTES),
  ) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      let lines: string[];
      try {
        lines = this.lines.push(d);
      } catch (e) {
        if (!(e instanceof LineTooLong)) throw e;
        const last = tooLong(e.limit);
        if (last !== undefined) sock.end(last + '\n');
        sock.destroy();
        return;
      }
      for (const line of lines) if (line.trim()) handlers.line(line);
    });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      handlers.close();
    };
    sock.on('close', close);
    sock.on('error', close);
  }

  /** Write one line (the newline is added); drops the client that stopped reading. */
  send(text: string): void {
    if (this.sock.destroyed) return;
    if (this.sock.writableLength > MAX_PENDING_BYTES) {
      this.sock.destroy();
      return;
    }
    this.sock.write(text + '\n');
  }

  get closed(): boolean {
    return this.sock.destroyed;
  }

  /**
   * Resolves once what was sent has gone to the kernel (at once unless a write filled the buffer), or
   * the connection ended: a sender of much (`file stream`) waits here before it makes more.
   */
  drained(): Promise<void> {
    const sock = this.sock;
    if (sock.destroyed || !sock.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        sock.off('drain', done);
        sock.off('close', done);
        resolve();
      };
      sock.on('drain', done);
      sock.on('close', done);
    });
  }

  /** Drop the connection (handlers.close follows). */
  destroy(): void {
    this.sock.destroy();
  }
}

/** The open client connections of each server listenUnix made, for closeUnix. */
const clients = new WeakMap<Server, Set<Socket>>();
/** Sockets listenUnix made in this process: each one's temporary name is its own. */
let made = 0;

/**
 * Listen on a unix socket at `path` (a stale file is replaced), mode 0660, group nanomega when it
 * exists. It is made under a temporary name beside `path` (shorter than any socket name we use, so
 * within sun_path whenever `path` is) and renamed into place once its mode and group are set: whoever
 * sees `path` can connect as the group allows, never meets it half set up (a group member did, for the
 * moment between the chmod and the chown, and got EACCES).
 */
export async function listenUnix(path: string, onSocket: (sock: Socket) => void): Promise<Server> {
  await unlink(path).catch(() => undefined); // Best-effort: a stale socket from a dead daemon.
  const temp = join(dirname(path), `.l${++made}`);
  await unlink(temp).catch(() => undefined); // Best-effort: left by a daemon killed while it listened.
  const open = new Set<Socket>();
  const server = createServer((sock) => {
    open.add(sock);
    sock.once('close', () => open.delete(sock));
    onSocket(sock);
  });
  clients.set(server, open);
  await listenOwnerOnly(server, temp);
  try {
    await chmod(temp, SOCKET_MODE);
    const gid = await groupId(DAEMON_GROUP);
    if (gid !== undefined) await chown(temp, 0, gid);
    await rename(temp, path);
  } catch (e) {
    server.close();
    await unlink(temp).catch(() => undefined); // Best-effort: the error below says what failed.
    throw e;
  }
  return server;
}

/**
 * Stop listening and end every client connection: net.Server.close() alone waits for the clients to
 * leave, so one `nanomega attach` left open would keep a stopping daemon alive forever.
 */
export function closeUnix(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const sock of clients.get(server) ?? []) sock.destroy();
  });
}
