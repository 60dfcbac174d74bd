/**
 * The daemon socket's wire protocol, for the daemon and every client (CLI, Electron main, the web
 * relay, the renderer): one JSON frame per line on the unix socket, one frame per message on the web
 * UI's WebSocket. Pure: no node or DOM imports (the socket glue is engine/api/node/). The native
 * client's shim/client/wire.h repeats the constants; a unit test compares the two.
 */
import type { Result } from './contract.js';
import { isErrorCode, type WireError } from './errors.js';

/** The daemon socket's file name in the base directory. */
export const SOCKET_NAME = 'nanomega.sock';
/** minimega's own JSON protocol (pkg/miniclient), served beside it. */
export const MINIMEGA_SOCKET_NAME = 'minimega';
/** Default base directory: a tmpfs on systemd hosts (design.md §1). */
export const DEFAULT_BASE = '/run/nanomega';
/** Environment variable naming the base directory. */
export const BASE_ENV = 'NANOMEGA_BASE';
/** Longest request line the daemon accepts; a longer one drops the connection. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Longest reply line a client accepts (vm info of thousands of containers as JSON is a few MB). */
export const MAX_REPLY_BYTES = 256 * 1024 * 1024;
/** Unread output the daemon keeps for one client before dropping it: a client that stops reading never grows the daemon. */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** Frame types, as they appear in the `type` field. */
export const FRAME = { call: 'call', result: 'result', event: 'event', subscribe: 'subscribe', unsubscribe: 'unsubscribe' } as const;

export type ClientFrame =
  { type: 'call'; id: number; method: string; args: unknown[] } | { type: 'subscribe'; events: string[] } | { type: 'unsubscribe'; events: string[] };
export type ServerFrame = ({ type: 'result'; id: number } & Result<unknown>) | { type: 'event'; name: string; payload: unknown };

/** The base directory from an environment (`NANOMEGA_BASE`, else the default). */
export function baseFrom(env: Readonly<Record<string, string | undefined>>): string {
  return env[BASE_ENV] || DEFAULT_BASE;
}

export function socketPath(base: string): string {
  return `${base.replace(/\/+$/, '') || ''}/${SOCKET_NAME}`;
}

export function minimegaSocketPath(base: string): string {
  return `${base.replace(/\/+$/, '') || ''}/${MINIMEGA_SOCKET_NAME}`;
}

/** One frame as text (no newline: WebSocket messages carry one each). */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/** One frame as a socket line. */
export function encodeLine(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame) + '\n';
}

/** The answer to a request that could not be read (its id is unknown). */
export function protocolError(message: string): ServerFrame {
  return { type: 'result', id: -1, ok: false, error: { code: 'E_PROTOCOL', message } };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((e) => typeof e === 'string');

/** A client frame, checked field by field and rebuilt (unknown fields dropped); undefined when malformed. */
export function parseClientFrame(text: string): ClientFrame | undefined {
  const f = parseObject(text);
  if (!f) return undefined;
  if (f.type === FRAME.call && Number.isSafeInteger(f.id) && typeof f.method === 'string' && Array.isArray(f.args)) {
    return { type: 'call', id: f.id as number, method: f.method, args: f.args as unknown[] };
  }
  if ((f.type === FRAME.subscribe || f.type === FRAME.unsubscribe) && isStringArray(f.events)) {
    return { type: f.type, events: f.events };
  }
  return undefined;
}

function parseWireError(v: unknown): WireError {
  const e = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return {
    code: isErrorCode(e.code) ? e.code : 'E_INTERNAL',
    message: typeof e.message === 'string' ? e.message : 'the nanomega daemon answered an error without a message',
    ...(typeof e.detail === 'object' && e.detail !== null ? { detail: e.detail as Record<string, string | number> } : {}),
  };
}

/** A server frame, checked; undefined when malformed. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  const f = parseObject(text);
  if (!f) return undefined;
  if (f.type === FRAME.event && typeof f.name === 'string') return { type: 'event', name: f.name, payload: f.payload };
  if (f.type !== FRAME.result || typeof f.id !== 'number') return undefined;
  if (f.ok === true) return { type: 'result', id: f.id, ok: true, value: f.value };
  return { type: 'result', id: f.id, ok: false, error: parseWireError(f.error) };
}

/** A line longer than the limit: the connection cannot be trusted to resynchronise. */
export class LineTooLong extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLong';
  }
}

/**
 * The text of one unfinished line (or request) across chunks: its pieces are kept, not joined, until it
 * ends, and it is checked against `max` characters as each piece arrives (LineTooLong), never after.
 */
export class PendingText {
  private pieces: string[] = [];
  private length = 0;

  constructor(private readonly max: number) {}

  /** Keeps a piece of the unfinished text. */
  add(piece: string): void {
    this.length += piece.length;
    if (this.length > this.max) throw new LineTooLong(this.max);
    this.pieces.push(piece);
  }

  /** The whole text, ending with `last`; empty again after. */
  finish(last: string): string {
    if (this.length + last.length > this.max) throw new LineTooLong(this.max);
    if (this.pieces.length === 0) return last;
    this.pieces.push(last);
    const text = this.pieces.join('');
    this.pieces = [];
    this.length = 0;
    return text;
  }

  /** Characters held. */
  get size(): number {
    return this.length;
  }
}

/**
 * Splits a stream of text chunks into lines. Each chunk is scanned once, so a long line arriving in
 * many chunks costs linear time; a line past `maxLine` characters throws LineTooLong as soon as it
 * is seen, before it is ever joined.
 */
export class LineSplitter {
  private readonly partial: PendingText;

  constructor(maxLine: number = MAX_LINE_BYTES) {
    this.partial = new PendingText(maxLine);
  }

  /** The lines this chunk completes (without their newlines). */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      lines.push(this.partial.finish(chunk.slice(start, nl)));
      start = nl + 1;
    }
    if (start < chunk.length) this.partial.add(chunk.slice(start));
    return lines;
  }

  /** Characters of an unfinished line held. */
  get pending(): number {
    return this.partial.size;
  }
}
