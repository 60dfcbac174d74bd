/**
 * minimega's own command socket, `<base>/minimega`, so that minimega's tools drive nanomega unchanged
 * (`minimega -base <base> -e …`, `-attach`, minitest, miniweb, the Python bindings). The protocol, as
 * minimega's pkg/miniclient describes it: JSON objects both ways, replies newline-terminated, requests
 * back to back with or without newlines (minimega-framing.ts: the Python bindings send none). A request is
 * `{Command, Suggest, PlumbPipe}` with exactly one of Command and Suggest set; a command is answered
 * by one reply per response set, `{Resp, Rendered, More, Status}`, More true on all but the last, with
 * Resp a list of `{Host, Response, Header, Tabular, Error, Data}`; a suggestion by `{…, Suggest: [lines]}`.
 * Requests on one connection run one at a time, in order, in that connection's own language session.
 *
 * `{PlumbPipe: NAME}` (`minimega -pipe NAME`) turns the connection into that pipe's two ends for as long
 * as it lasts: each message the pipe delivers goes to the client as one JSON string, and each JSON
 * string the client sends is written into the pipe (minimega's command_socket.go). A name without
 * `ns//` is a pipe of the default namespace, as minimega's client qualifies it.
 */
import type { Server, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Engine } from '../engine.js';
import { render } from '../language/render.js';
import type { ResolvedChunk as Chunk, Session } from '../language/session.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { Plumber } from '../plumb/plumber.js';
import { MAX_LINE_BYTES } from '../api/wire.js';
import { LineSocket, listenUnix } from './line-socket.js';
import { JsonValueSplitter } from './minimega-framing.js';
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
  /** Set once a PlumbPipe request made this connection a pipe's reader and writer. */
  private pipe?: { write(value: string): Promise<void>; close(): void };

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
        close: () => this.pipe?.close(),
      },
      (limit) => JSON.stringify(this.error(`request longer than ${limit} bytes; connection closed`)),
      new JsonValueSplitter(MAX_LINE_BYTES),
    );
  }

  private error(message: string): MinimegaReply {
    return reply([{ Host: this.host, Response: '', Header: null, Tabular: null, Error: message, Data: null }]);
  }

  private send(r: MinimegaReply): void {
    this.lines.send(JSON.stringify(r));
  }

  /** The connection becomes pipe `name`'s reader and writer until it closes. */
  private openPipe(name: string): void {
    let full: string;
    try {
      full = Plumber.qualify(DEFAULT_NAMESPACE, name);
    } catch (e) {
      this.send(this.error(e instanceof Error ? e.message : String(e)));
      return;
    }
    const plumber = this.engine.plumber;
    const stopReading = plumber.openReader(full, (value) => this.lines.send(JSON.stringify(value)));
    const writer = plumber.openWriter(full);
    this.engine.logs.debug(`minimega socket: plumb pipe ${full}`);
    this.pipe = {
      write: (value) => writer.write(value),
      close: () => {
        stopReading();
        writer.close();
      },
    };
  }

  /** A line from a pipe's client: one JSON string, written into the pipe unless empty; anything else ends the connection. */
  private async toPipe(line: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'string') {
      this.lines.destroy();
      return;
    }
    if (value !== '') await this.pipe!.write(value);
  }

  private async handle(line: string): Promise<void> {
    if (this.lines.closed) return;
    if (this.pipe) return this.toPipe(line);
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
      this.openPipe(field('PlumbPipe'));
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
      // Each response set goes out as it is made (`file stream` makes one per part of a file); the
      // last is held back until the command ends, so that it can say More false.
      let held: Chunk | undefined;
      const sendChunk = (c: Chunk, more: boolean) => this.send(reply([minicli(c, this.host)], render(c.response, c.flags, this.host), more));
      await this.session.stream(command, async (c) => {
        if (held) {
          sendChunk(held, true);
          await this.lines.drained(); // a slow reader slows the stream down instead of being dropped
        }
        held = c;
      });
      if (held) sendChunk(held, false);
      else this.send(reply(null));
    } catch (e) {
      this.send(this.error(e instanceof Error ? e.message : String(e)));
    }
  }
}
