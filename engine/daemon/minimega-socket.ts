/**
 * minimega's own command socket, `<base>/minimega`, so that minimega's tools drive nanomega unchanged
 * (`minimega -base <base> -e …`, `-attach`, minitest, miniweb, the Python bindings). The protocol, as
 * minimega's pkg/miniclient describes it: newline-terminated JSON objects both ways. A request is
 * `{Command, Suggest, PlumbPipe}` with exactly one of Command and Suggest set; a command is answered
 * by one reply per response set, `{Resp, Rendered, More, Status}`, More true on all but the last, with
 * Resp a list of `{Host, Response, Header, Tabular, Error, Data}`; a suggestion by `{…, Suggest: [lines]}`.
 * Requests on one connection run one at a time, in order, in that connection's own language session.
 */
import type { Server, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Engine } from '../engine.js';
import { render } from '../language/render.js';
import type { ResolvedChunk as Chunk, Session } from '../language/session.js';
import { LineSocket, listenUnix } from './line-socket.js';
import { openSession } from './session.js';

/** One response of minicli, with Go's field names (minicli.Response). */
export interface MinicliResponse {
  Host: string;
  Response: string;
  Header: string[] | null;
  Tabular: string[][] | null;
  Error: string;
  Data: unknown;
}

/** One reply on the socket (miniclient.Response). */
export interface MinimegaReply {
  Resp: MinicliResponse[] | null;
  Rendered: string;
  More: boolean;
  Status: boolean;
  Suggest?: string[];
}

export function serveMinimegaSocket(engine: Engine, path: string): Promise<Server> {
  return listenUnix(path, (sock) => new MinimegaConnection(engine, sock));
}

function reply(resp: MinicliResponse[] | null, rendered = '', more = false): MinimegaReply {
  return { Resp: resp, Rendered: rendered, More: more, Status: false };
}

function minicli(chunk: Chunk, host: string): MinicliResponse {
  const r = chunk.response;
  return {
    Host: host,
    Response: r.header ? '' : (r.text ?? ''),
    Header: r.header ?? null,
    Tabular: r.rows ?? null,
    Error: r.errors.join('\n'),
    // Structured data behind the text where the language provides it (what `.json` prints).
    Data: (r as { data?: unknown }).data ?? null,
  };
}

class MinimegaConnection {
  private readonly lines: LineSocket;
  private readonly host = hostname();
  private session?: Session;
  /** Requests run one at a time, in order, like minimega's handler loop. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    sock: Socket,
  ) {
    this.lines = new LineSocket(
      sock,
      {
        line: (l) => {
          this.queue = this.queue.then(() => this.handle(l));
        },
        close: () => undefined,
      },
      (limit) => JSON.stringify(this.error(`request longer than ${limit} bytes; connection closed`)),
    );
  }

  private error(message: string): MinimegaReply {
    return reply([{ Host: this.host, Response: '', Header: null, Tabular: null, Error: message, Data: null }]);
  }

  private send(r: MinimegaReply): void {
    this.lines.send(JSON.stringify(r));
  }

  private async handle(line: string): Promise<void> {
    if (this.lines.closed) return;
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch (e) {
      this.send(this.error(`malformed request: ${(e as Error).message}`));
      return;
    }
    if (typeof req !== 'object' || req === null || Array.isArray(req)) {
      this.send(this.error('malformed request: expected a JSON object {Command, Suggest, PlumbPipe}'));
      return;
    }
    const r = req as Record<string, unknown>;
    const field = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : '');
    if (field('PlumbPipe') !== '') {
      this.send(this.error('plumb pipes are not supported by nanomega'));
      return;
    }
    const command = field('Command');
    const suggestion = field('Suggest');
    if ((command === '') === (suggestion === '')) {
      this.send(this.error('must specify either command or suggest'));
      return;
    }
    try {
      this.session ??= openSession(this.engine);
      if (suggestion !== '') {
        const lines = await this.session.complete(suggestion);
        this.send(lines.length ? { ...reply(null), Suggest: lines } : reply(null));
        return;
      }
      this.engine.logs.debug(`minimega socket: ${command}`);
      const chunks = await this.session.chunks(command);
      if (chunks.length === 0) this.send(reply(null));
      chunks.forEach((c, i) => this.send(reply([minicli(c, this.host)], render(c.response, c.flags, this.host), i < chunks.length - 1)));
    } catch (e) {
      this.send(this.error(e instanceof Error ? e.message : String(e)));
    }
  }
}
