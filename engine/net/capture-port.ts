/**
 * The effects packet capture needs, behind one port (tests use a fake that plays pcap bytes): a
 * capturing process per interface, an append-only file for its records, and reading files back.
 */

/** How a capturing process ended. */
export interface CaptureExit {
  code: number | null;
  signal: string | null;
  /** The last lines it wrote on stderr (its reason when it failed). */
  stderr: string;
}

/** One running capturer: pcap bytes of everything crossing `iface`, on its stdout. */
export interface CaptureProcess {
  readonly pid: number;
  /** Resolves once packets are being recorded; rejects with the capturer's own error text. */
  readonly ready: Promise<void>;
  /** Output chunks, in order; every chunk arrives before `done` resolves. */
  onData(fn: (chunk: Buffer) => void): void;
  /** Resolves when the process has exited and its output has been delivered. */
  readonly done: Promise<CaptureExit>;
  /** Ask it to finish: it writes what it holds, then exits. */
  stop(): void;
}

/** An open capture file: appends in order, then closes. */
export interface CaptureSink {
  append(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface CaptureOptions {
  iface: string;
  snaplen: number;
  /** BPF filter expression; '' for every packet. */
  filter: string;
}

export interface CapturePort {
  spawn(opts: CaptureOptions): CaptureProcess;
  /** Create (truncate) `path` for writing; its directory must exist. */
  openSink(path: string): Promise<CaptureSink>;
  mkdirp(dir: string): Promise<void>;
  /** Whether `dir` is an existing directory. */
  isDir(dir: string): Promise<boolean>;
  /** Size of a file, undefined when it does not exist. */
  size(path: string): Promise<number | undefined>;
  read(path: string, offset: number, length: number): Promise<Buffer>;
  /** Whether a network interface exists, and whether it is a Linux bridge. */
  link(name: string): Promise<'bridge' | 'other' | undefined>;
  /** Start time of a process (clock ticks since boot), 0 when it does not exist: tells a pid from its reuse. */
  startTicks(pid: number): Promise<number>;
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** Remove a file this port created (a capture that failed to start); a missing one is fine. */
  remove(path: string): Promise<void>;
}
