/**
 * Framing of requests on minimega's socket. minimega reads them with Go's json.Decoder, which takes JSON
 * values back to back with or without anything between them: miniclient ends each with a newline (Go's
 * Encoder does), minimega's Python bindings send none (`json.dumps` and a bare socket send), so a
 * server that waited for newlines would keep them waiting forever. A request therefore ends where its
 * JSON value closes (the `}` of an object, `]` of an array, `"` of a string outside both) or at a
 * newline, whichever comes first: valid JSON holds no raw newline inside a string, and no client of
 * minimega's puts one between tokens, so a newline can end a malformed request for its error reply
 * (`{not json` typed through socat) instead of leaving the connection waiting for a close that never
 * comes. A bare number or literal ends at white space. Each value is checked against `max` characters as
 * it arrives (LineTooLong), never joined first.
 */
import { PendingText } from '../api/wire.js';

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === NL;
}

export class JsonValueSplitter {
  private readonly partial: PendingText;
  /** Inside a value (after its first character). */
  private started = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A bare number or literal: ends at white space. */
  private scalar = false;

  constructor(max: number) {
    this.partial = new PendingText(max);
  }

  /** The values this chunk completes, as text (white space around them dropped). */
  push(chunk: string): string[] {
    const out: string[] = [];
    let start = 0;
    const end = (to: number) => {
      const text = this.partial.finish(chunk.slice(start, to));
      if (text.trim() !== '') out.push(text);
      this.started = this.inString = this.escaped = this.scalar = false;
      this.depth = 0;
      start = to;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === NL) {
        if (this.started) end(i);
        start = i + 1;
        continue;
      }
      if (!this.started) {
        if (isSpace(c)) {
          start = i + 1;
          continue;
        }
        this.started = true;
        start = i;
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth = 1;
        else this.scalar = true;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) end(i + 1);
        }
        continue;
      }
      if (this.scalar) {
        if (isSpace(c)) end(i);
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === 0) end(i + 1);
      }
    }
    if (this.started && start < chunk.length) this.partial.add(chunk.slice(start));
    return out;
  }
}
