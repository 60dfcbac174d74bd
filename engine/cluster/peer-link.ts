/**
 * The daemon-to-daemon API: the same contract and wire protocol as the daemon's unix socket
 * (engine/api/wire.ts), over TLS 1.3 with certificates checked both ways against the cluster CA. A
 * connection without a certificate of this cluster never gets a byte of the protocol: the handshake
 * fails first (requestCert + rejectUnauthorized). The client side names the peer by its host name,
 * which its certificate must carry.
 */
import type { Server } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { Result } from '../api/contract.js';
import { EngineError } from '../errors.js';
import { unavailable, unwrap, WireClient } from '../api/wire-client.js';
import { attachWire } from '../api/node/socket-client.js';
import { encodeLine } from '../api/wire.js';

export interface TlsMaterial {
  /** PEM of the cluster CA, this host's certificate and key. */
  ca: string;
  cert: string;
  key: string;
}

/** How long a connection to a peer may take to open. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A call to a peer that takes longer fails (the peer is treated as unreachable for that command). */
export const PEER_CALL_TIMEOUT_MS = 120_000;

/** `HOST:PORT` (IPv6 as `[addr]:port`). */
export function parseAddress(text: string, field: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new EngineError('E_CONFIG', `${field}: \`${text}\` is not HOST:PORT`, { field, value: text });
  return { host: m[1] ?? m[2]!, port };
}

/** Listen for peers on `listen`; each authenticated connection goes to `onPeer`. */
export function servePeers(tls: TlsMaterial, listen: { host: string; port: number }, onPeer: (sock: TLSSocket) => void): Promise<Server> {
  const server = createServer({ ca: tls.ca, cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, onPeer);
  // A failed handshake (no certificate, another CA) only ends that connection.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** One peer daemon: connects on first use and again after the connection was lost. */
export class PeerClient {
  private sock?: TLSSocket;
  private opening?: Promise<TLSSocket>;
  private readonly wire: WireClient;
  private closed = false;

  constructor(
    readonly name: string,
    private address: string,
    private readonly tls: TlsMaterial,
  ) {
    this.wire = new WireClient((frame) => {
      if (!this.sock || this.sock.destroyed) return false;
      this.sock.write(encodeLine(frame));
      return true;
    });
  }

  /** The peer registered another address (it restarted elsewhere): reconnect there. */
  setAddress(address: string): void {
    if (address === this.address) return;
    this.address = address;
    this.sock?.destroy();
  }

  async call<T>(method: string, args: unknown[], timeoutMs = PEER_CALL_TIMEOUT_MS): Promise<T> {
    if (this.closed) throw new EngineError('E_UNAVAILABLE', `peer ${this.name}: closed`);
    await this.open();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Result<unknown>>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: unavailable(`peer ${this.name} did not answer ${method} within ${timeoutMs / 1000} s`) }),
        timeoutMs,
      );
    });
    try {
      return unwrap((await Promise.race([this.wire.request(method, args), timeout])) as Result<T>);
    } finally {
      clearTimeout(timer);
    }
  }

  on(name: string, listener: (payload: unknown) => void): () => void {
    return this.wire.on(name as never, listener as never);
  }

  close(): void {
    this.closed = true;
    this.sock?.destroy();
  }

  private open(): Promise<TLSSocket> {
    if (this.sock && !this.sock.destroyed) return Promise.resolve(this.sock);
    this.opening ??= this.dial().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private dial(): Promise<TLSSocket> {
    const { host, port } = parseAddress(this.address, `peer ${this.name}`);
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port, servername: this.name, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, minVersion: 'TLSv1.3' });
      const fail = (e: Error) => {
        sock.destroy();
        reject(new EngineError('E_UNAVAILABLE', `peer ${this.name} at ${this.address}: ${e.message}`, { host: this.name }));
      };
      const timer = setTimeout(() => fail(new Error('connection timed out')), CONNECT_TIMEOUT_MS);
      sock.once('error', fail);
      sock.once('secureConnect', () => {
        clearTimeout(timer);
        sock.off('error', fail);
        this.attach(sock);
        resolve(sock);
      });
    });
  }

  private attach(sock: TLSSocket): void {
    this.sock = sock;
    attachWire(sock, this.wire, `connection to peer ${this.name} lost`, {}, () => {
      if (this.sock === sock) this.sock = undefined;
    });
  }
}
