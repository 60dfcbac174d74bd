/**
 * Consoles of containers on other hosts, for one client of this daemon: `cluster.console.open HOST ID`
 * opens the console on the owning daemon (over the peer link, whose connection then owns the remote
 * session) and gives the client a session number of its own, in a range local sessions never reach.
 * The client's console.input/ack/resize/close of that number go to the owning daemon; its console.data
 * and console.closed come back renumbered. The remote relay's flow control is kept end to end: the
 * client's acks are the ones the owning daemon waits for.
 */
import type { ConsoleSession } from '../api/types.js';
import { EngineError } from '../errors.js';

/** Session numbers of remote consoles start here (local ones count up from 1). */
export const REMOTE_SESSION_BASE = 2 ** 30;

/** What a remote console needs of the link to a peer daemon. */
export interface ConsoleLink {
  call<T>(method: string, args: unknown[]): Promise<T>;
  on(name: string, listener: (payload: unknown) => void): () => void;
}

interface Remote {
  host: string;
  session: number;
}

type EventKind = 'console.data' | 'console.closed';
type Payload = { session: number; data?: string; reason?: string };

interface Followed {
  byRemote: Map<number, number>;
  early: [EventKind, Payload][];
  offs: (() => void)[];
}

type Forwarded = 'console.input' | 'console.ack' | 'console.resize' | 'console.close';

export class RemoteConsoles {
  private next = REMOTE_SESSION_BASE;
  /** Local session → where it lives. */
  private readonly sessions = new Map<number, Remote>();
  /** Per host: remote session → local session, events that came before their session was known, subscriptions. */
  private readonly hosts = new Map<string, Followed>();

  constructor(
    private readonly link: (host: string) => ConsoleLink,
    /** Send an event to this client. */
    private readonly emit: (name: EventKind, payload: Payload) => void,
  ) {}

  static owns(session: unknown): boolean {
    return typeof session === 'number' && session >= REMOTE_SESSION_BASE;
  }

  private follow(host: string, peer: ConsoleLink): Followed {
    const known = this.hosts.get(host);
    if (known) return known;
    const f: Followed = { byRemote: new Map(), early: [], offs: [] };
    const relay = (name: EventKind) => (payload: unknown) => {
      const p = payload as Payload;
      const local = f.byRemote.get(p.session);
      if (local === undefined) {
        // Data may arrive before console.open answers (the scrollback is pushed at once).
        f.early.push([name, p]);
        return;
      }
      this.emit(name, { ...p, session: local });
      if (name === 'console.closed') this.forget(local);
    };
    f.offs.push(peer.on('console.data', relay('console.data')), peer.on('console.closed', relay('console.closed')));
    this.hosts.set(host, f);
    return f;
  }

  async open(host: string, id: number, cols?: number, rows?: number): Promise<ConsoleSession> {
    const peer = this.link(host);
    const f = this.follow(host, peer);
    const s = await peer.call<ConsoleSession>('console.open', [id, cols ?? null, rows ?? null]);
    const local = this.next++;
    f.byRemote.set(s.session, local);
    this.sessions.set(local, { host, session: s.session });
    const mine = f.early.filter(([, p]) => p.session === s.session);
    f.early = f.early.filter(([, p]) => p.session !== s.session);
    for (const [name, p] of mine) this.emit(name, { ...p, session: local });
    return { ...s, session: local };
  }

  /** A console call of the client on a remote session, done where the session lives. */
  async forward(method: Forwarded, args: unknown[]): Promise<void> {
    const local = args[0] as number;
    const r = this.sessions.get(local);
    if (!r) throw new EngineError('E_NOT_FOUND', `${method}: no console session ${local}`, { session: local });
    if (method === 'console.close') this.forget(local);
    await this.link(r.host).call(method, [r.session, ...args.slice(1)]);
  }

  private forget(local: number): void {
    const r = this.sessions.get(local);
    if (!r) return;
    this.sessions.delete(local);
    this.hosts.get(r.host)?.byRemote.delete(r.session);
  }

  /** The client is gone: close its remote consoles and stop following. */
  closeAll(): void {
    for (const [local, r] of [...this.sessions]) {
      this.forget(local);
      this.link(r.host)
        .call('console.close', [r.session])
        .catch(() => undefined); // Best-effort: the owning daemon drops it with the link anyway.
    }
    for (const h of this.hosts.values()) for (const off of h.offs) off();
    this.hosts.clear();
  }
}
