/**
 * UTF-8 boundaries. The monitor's socket carries raw pty bytes; a read may end inside a
 * multi-byte character, and a batch sent to a client must never split one (xterm.js would
 * draw U+FFFD for each half).
 */

/** Bytes in a sequence started by `lead`, 0 for a continuation byte, -1 for a byte that never starts one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead < 0xc0) return 0;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf8) return 4;
  return -1;
}

/**
 * Length of the longest prefix of `buf` that does not end inside a character: at most the last
 * 3 bytes are held back, and only when they are the start of a sequence that is still incomplete.
 * Invalid bytes are never held back (the decoder replaces them).
 */
export function completePrefixLength(buf: Uint8Array): number {
  const n = buf.length;
  // A sequence is at most 4 bytes, so its lead is within the last 4 bytes.
  for (let back = 1; back <= Math.min(4, n); back++) {
    const len = sequenceLength(buf[n - back]!);
    if (len === 0) continue; // continuation byte: look further back for the lead
    return len > back ? n - back : n;
  }
  return n;
}

/** Decodes a byte stream chunk by chunk, carrying an incomplete trailing character to the next chunk. */
export class Utf8Splitter {
  private tail: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string {
    const buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = completePrefixLength(buf);
    this.tail = Buffer.from(buf.subarray(cut));
    return buf.toString('utf8', 0, cut);
  }

  /** What is left at the end of the stream (an incomplete character decodes to U+FFFD). */
  end(): string {
    const rest = this.tail.toString('utf8');
    this.tail = Buffer.alloc(0);
    return rest;
  }
}
