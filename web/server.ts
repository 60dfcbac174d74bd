import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { captureChunks, findCapture } from '../engine/api/node/capture-stream.js';
import { EngineClient } from '../engine/api/node/socket-client.js';
import { tokenFromBearer, tokenFromProtocols, WEB_PROTOCOL } from '../engine/api/web-auth.js';
import { encodeFrame, encodeLine, LineSplitter, MAX_REPLY_BYTES, parseClientFrame, protocolError } from '../engine/api/wire.js';

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/engine';
/** Longest client frame accepted from the browser (the daemon accepts 8 MB lines; stay well under). */
const MAX_FRAME_BYTES = 1024 * 1024;
/** Pause reading from the daemon while the browser has this much unsent output (the daemon's own drop limit is 64 MB). */
const WS_HIGH_WATER_BYTES = 4 * 1024 * 1024;
const WS_LOW_WATER_BYTES = 512 * 1024;

/** Where `vite build` writes the renderer (dist/renderer), relative to this compiled file (dist/web/). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export interface WebOptions {
  /** Daemon socket to relay to (each browser connection gets its own daemon connection and session). */
  socket: string;
  /** Address to bind: "127.0.0.1:9001", "127.0.0.1:0" (any free port), "[::1]:9001". */
  listen: string;
  /** Built renderer directory. */
  staticDir?: string;
  /** Fixed token (tests); random 32 bytes otherwise. */
  token?: string;
}

export interface WebServer {
  /** `http://host:port/?token=…` — the URL to open. */
  url: string;
  /** The exact `host:port` that Host headers must carry. */
  authority: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`--web: expected HOST:PORT (e.g. 127.0.0.1:9001), got \`${listen}\``);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--web: port out of range: ${port}`);
  return { host: m[1] ?? m[2]!, port };
}

function sameSecret(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Serve the built renderer and the engine contract over a WebSocket (security-and-reliability.md item 9):
 * loopback by default, the Host header checked exactly on every request (DNS rebinding), the WebSocket
 * Origin too. Everything that reaches the daemon needs the random token, presented explicitly (never a
 * cookie, which browsers send to every port of the host: engine/api/web-auth.ts): the WebSocket as a
 * subprotocol, capture downloads as a Bearer header. The page itself is public code and needs none; it
 * takes the token from the URL it was opened with (then drops it from the address bar). Frames are
 * relayed unchanged to a fresh daemon-socket connection per WebSocket, so the browser gets exactly the
 * daemon's per-connection dispatch (cli session, console sessions, stats.watch) and nothing else.
 */
export async function serveWeb(opts: WebOptions): Promise<WebServer> {
  const { host, port } = parseListen(opts.listen);
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const staticDir = opts.staticDir ?? DEFAULT_STATIC_DIR;
  let authority = '';

  /** null when allowed; else the status code and reason. `presented`: the token the request carries, if it needs one. */
  const check = (req: IncomingMessage, ws: boolean, presented?: string | null): [number, string] | null => {
    if (req.headers.host !== authority) return [403, 'wrong Host'];
    if (ws && req.headers.origin !== `http://${authority}`) return [403, 'wrong Origin'];
    if (presented !== null && !sameSecret(presented, token)) return [401, 'token required'];
    return null;
  };

  const server = createServer((req, res) => {
    const url = requestUrl(req);
    if (!url) return deny(res, 400, 'bad request target');
    const download = CAPTURE_PATH_RE.exec(url.pathname);
    const refused = check(req, false, download ? tokenFromBearer(req.headers.authorization) : null);
    if (refused) return deny(res, ...refused);
    if (download && req.method === 'GET') return void sendCapture(opts.socket, Number(download[1]), res).catch(() => res.destroy());
    // The page (also as `/?token=…`, which the page itself takes out of the address bar).
    sendStatic(staticDir, url.pathname, authority, res).catch(() => res.destroy());
  });

  // The token subprotocol is never echoed back: the answer names the protocol only.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, handleProtocols: () => WEB_PROTOCOL });
  server.on('upgrade', (req, sock, head) => {
    const url = requestUrl(req);
    const presented = tokenFromProtocols(req.headers['sec-websocket-protocol']);
    const refused = !url
      ? ([400, 'bad request target'] as [number, string])
      : (check(req, true, presented) ?? (url.pathname === WS_PATH ? null : ([404, 'not found'] as [number, string])));
    if (refused) {
      sock.end(`HTTP/1.1 ${refused[0]} ${refused[1]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => relay(ws, opts.socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  authority = `${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  return {
    url: `http://${authority}/?token=${token}`,
    authority,
    token,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** `GET /captures/<id>[/<file name>]`: a capture's pcap, read through the daemon (the relay never opens files). */
const CAPTURE_PATH_RE = /^\/captures\/(\d{1,9})(?:\/[^/]*)?$/;

async function sendCapture(socket: string, id: number, res: ServerResponse): Promise<void> {
  const client = EngineClient.lazy(socket);
  try {
    const c = await findCapture(client, id);
    if (!c) return deny(res, 404, `no capture ${id}`);
    const name = (c.path.split('/').pop() || `capture-${id}`).replace(/[^A-Za-z0-9_.-]/g, '_');
    let started = false;
    for await (const chunk of captureChunks(client, id)) {
      if (!started) {
        res.writeHead(200, {
          'Content-Type': 'application/vnd.tcpdump.pcap',
          'Content-Disposition': `attachment; filename="${/\.(pcap|cap)$/i.test(name) ? name : `${name}.pcap`}"`,
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        started = true;
      }
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    if (!started) return deny(res, 404, `capture ${id} has no file`);
    res.end();
  } catch (e) {
    if (!res.headersSent) deny(res, 502, e instanceof Error ? e.message : String(e));
    else res.destroy();
  } finally {
    client.close();
  }
}

/** The request target as a URL, or undefined when it is not one (`//[` throws in the URL parser). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://x');
  } catch {
    return undefined;
  }
}

function deny(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${status} ${reason}\n`);
}

function csp(authority: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Vue style bindings and xterm.js set inline styles.
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ws://${authority}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function sendStatic(dir: string, pathname: string, authority: string, res: ServerResponse): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return deny(res, 400, 'bad path');
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const file = normalize(join(dir, rel));
  if (!file.startsWith(normalize(dir + sep)) || rel.includes('\0')) return deny(res, 404, 'not found');
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) {
    if (rel === '/index.html') return deny(res, 500, `renderer not built: no ${file} (run npm run build)`);
    return deny(res, 404, 'not found');
  }
  res.writeHead(200, {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Content-Security-Policy': csp(authority),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': rel.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-store',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** Relay one WebSocket to a fresh daemon connection: one JSON frame per WebSocket message ⇄ one line. */
function relay(ws: WebSocket, socketPath: string): void {
  const sock: Socket = connect(socketPath);
  sock.setEncoding('utf8');
  const lines = new LineSplitter(MAX_REPLY_BYTES);
  let paused = false;
  const pending: string[] = [];
  let connected = false;

  sock.on('connect', () => {
    connected = true;
    for (const line of pending.splice(0)) sock.write(line);
  });
  sock.on('data', (d: string) => {
    let out: string[];
    try {
      out = lines.push(d);
    } catch {
      end(1011, 'daemon sent an oversized frame');
      return;
    }
    for (const line of out) if (line) ws.send(line);
    // Backpressure: stop reading the daemon while the browser is behind; the daemon's console
    // flow control and its own drop limit take over from there.
    if (!paused && ws.bufferedAmount > WS_HIGH_WATER_BYTES) {
      paused = true;
      sock.pause();
      const drain = setInterval(() => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount < WS_LOW_WATER_BYTES) {
          clearInterval(drain);
          paused = false;
          sock.resume();
        }
      }, 20);
    }
  });
  const end = (code: number, reason: string) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    sock.destroy();
  };
  sock.on('error', (e: NodeJS.ErrnoException) => end(1011, `daemon socket: ${e.code ?? e.message}`));
  sock.on('close', () => end(1011, 'daemon connection closed'));

  ws.on('message', (data, isBinary) => {
    // Re-encoded from the checked frame: the daemon only ever sees one well-formed line per frame.
    const frame = isBinary ? undefined : parseClientFrame(data.toString());
    if (!frame) {
      ws.send(encodeFrame(protocolError('malformed frame')));
      return;
    }
    const line = encodeLine(frame);
    if (connected) sock.write(line);
    else pending.push(line);
  });
  ws.on('close', () => sock.destroy());
  ws.on('error', () => sock.destroy());
}
