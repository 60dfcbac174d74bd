/**
 * The classic pcap file format (what tcpdump -w writes and Wireshark reads): a 24-byte global header,
 * then per packet a 16-byte record header and the captured bytes. Capture streams are cut at record
 * boundaries here, so a file we write only ever holds whole records, whenever it is closed or the
 * daemon dies.
 */
import { endianness } from 'node:os';

export const PCAP_GLOBAL_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Microsecond-resolution magic, as written in the writer's byte order. */
const MAGIC_US = 0xa1b2c3d4;
/** Nanosecond-resolution magic (tcpdump --time-stamp-precision=nano). */
const MAGIC_NS = 0xa1b23c4d;
/** LINKTYPE_ETHERNET: veths and bridges. */
export const LINKTYPE_ETHERNET = 1;
/** A record claiming more than this is a corrupt stream, not a packet (64 KiB frames plus slack). */
const MAX_RECORD_BYTES = 256 * 1024;

export interface PcapHeader {
  littleEndian: boolean;
  nanos: boolean;
  snaplen: number;
  linktype: number;
}

/** The global header this host's tcpdump would write for `snaplen` and `linktype`. */
export function pcapGlobalHeader(snaplen: number, linktype = LINKTYPE_ETHERNET, littleEndian = endianness() === 'LE'): Buffer {
  const b = Buffer.alloc(PCAP_GLOBAL_HEADER_BYTES);
  const u32 = (v: number, at: number) => (littleEndian ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const u16 = (v: number, at: number) => (littleEndian ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  u32(MAGIC_US, 0);
  u16(2, 4); // version 2.4
  u16(4, 6);
  u32(0, 8); // thiszone
  u32(0, 12); // sigfigs
  u32(snaplen, 16);
  u32(linktype, 20);
  return b;
}

export function parseGlobalHeader(b: Buffer): PcapHeader {
  if (b.length < PCAP_GLOBAL_HEADER_BYTES) throw new Error(`pcap: short global header (${b.length} bytes)`);
  for (const littleEndian of [true, false]) {
    const magic = littleEndian ? b.readUInt32LE(0) : b.readUInt32BE(0);
    if (magic === MAGIC_US || magic === MAGIC_NS) {
      const u32 = (at: number) => (littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at));
      return { littleEndian, nanos: magic === MAGIC_NS, snaplen: u32(16), linktype: u32(20) };
    }
  }
  throw new Error(`pcap: bad magic 0x${b.readUInt32BE(0).toString(16)}`);
}

/**
 * Splits one writer's pcap byte stream (tcpdump -w -) into its global header and whole records.
 * push() returns the whole records completed by this chunk (possibly several, possibly none).
 */
export class PcapRecordSplitter {
  header?: PcapHeader;
  packets = 0;
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.header) {
      if (this.buf.length < PCAP_GLOBAL_HEADER_BYTES) return Buffer.alloc(0);
      this.header = parseGlobalHeader(this.buf);
      this.buf = this.buf.subarray(PCAP_GLOBAL_HEADER_BYTES);
    }
    const le = this.header.littleEndian;
    let end = 0;
    for (;;) {
      if (this.buf.length - end < PCAP_RECORD_HEADER_BYTES) break;
      const incl = le ? this.buf.readUInt32LE(end + 8) : this.buf.readUInt32BE(end + 8);
      if (incl > MAX_RECORD_BYTES) throw new Error(`pcap: record of ${incl} bytes: the stream is corrupt`);
      const size = PCAP_RECORD_HEADER_BYTES + incl;
      if (this.buf.length - end < size) break;
      end += size;
      this.packets++;
    }
    const whole = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return Buffer.from(whole);
  }

  /** Bytes of an unfinished record held back (lost if the writer never completes it). */
  get pending(): number {
    return this.buf.length;
  }
}
