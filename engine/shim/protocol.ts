/**
 * Mirror of shim/src/protocol.h: message numbers, framing and the BOOTSTRAP
 * payload. test/unit/engine/shim/protocol.test.ts parses the header and
 * checks these constants agree — change both together.
 *
 * A frame is `{ uint32 type; uint32 len }` in native byte order, then `len`
 * bytes of payload (at most SHIM_MAX_PAYLOAD).
 */
import { endianness } from 'node:os';

export const ShimMsg = {
  BOOTSTRAP: 0x50, // engine -> shim: "key=value\0"...
  PID: 0x51, // shim -> engine: "<monitorpid> <initpid>"
  MOUNTED: 0x52, // shim -> engine: the container's mounts are made (pivot_root after preinit); netns ready for veths
  CONTINUE: 0x53, // engine -> shim: go on after MOUNTED; "nic=<ifname>|<ip>\0"... (encodeContinue)
  READY: 0x54, // shim -> engine: preinit done, pivot_root done, caps dropped; blocked before exec; "frozen" when the monitor froze the cgroup
  EXEC: 0x55, // engine -> shim: cgroup frozen; exec init on thaw
  ERROR: 0x56, // shim -> engine: "<errno>\0<message>"
  ABORT: 0x57, // engine -> shim: kill the child, clean up, exit
  HELLO: 0x58, // monitor -> control client: "<monitorpid> <initpid> <phase>"
  RESIZE: 0x59, // control client -> monitor: "<cols> <rows>"
  EXITED: 0x5a, // monitor -> engine + control clients: the exit record text
  ATTACH: 0x5b, // monitor -> engine, first on the launch socket: "<token>"; then it is the sync socket
  ADDRS: 0x5c, // control client -> monitor, empty; answered ADDRS: the netns's interfaces (decodeAddrs)
  EXEC_START: 0x5d, // exec client -> monitor: "key=value\0"... (encodeExecStart)
  EXEC_ATTACH: 0x5e, // exec client -> monitor: "<token>" of a detached session
  EXEC_STARTED: 0x5f, // monitor -> exec client: "<hostpid> <pid>"
  EXEC_STDIN: 0x60, // exec client -> monitor: bytes; empty closes stdin
  EXEC_STDOUT: 0x61, // monitor -> exec client: bytes
  EXEC_STDERR: 0x62, // monitor -> exec client: bytes
  EXEC_SIGNAL: 0x63, // exec client -> monitor: "<signo>"
  EXEC_EXITED: 0x64, // monitor -> exec client: "code=N\n" | "signal=N\n", after all output
} as const;
export type ShimMsgType = (typeof ShimMsg)[keyof typeof ShimMsg];

export const SHIM_MAX_PAYLOAD = 1024 * 1024;
export const FRAME_HEADER_BYTES = 8;

const LE = endianness() === 'LE';

export function messageName(type: number): string {
  for (const [k, v] of Object.entries(ShimMsg)) if (v === type) return k;
  return `0x${type.toString(16)}`;
}

export function encodeFrame(type: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length > SHIM_MAX_PAYLOAD) throw new RangeError(`shim frame ${messageName(type)}: ${body.length} bytes`);
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  if (LE) {
    head.writeUInt32LE(type, 0);
    head.writeUInt32LE(body.length, 4);
  } else {
    head.writeUInt32BE(type, 0);
    head.writeUInt32BE(body.length, 4);
  }
  return Buffer.concat([head, body]);
}

export interface Frame {
  type: number;
  payload: Buffer;
}

/** Splits a byte stream into frames; feed it every chunk, in order. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Returns the frames completed by this chunk. Throws on an oversized frame. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    while (this.buf.length >= FRAME_HEADER_BYTES) {
      const type = LE ? this.buf.readUInt32LE(0) : this.buf.readUInt32BE(0);
      const len = LE ? this.buf.readUInt32LE(4) : this.buf.readUInt32BE(4);
      if (len > SHIM_MAX_PAYLOAD) throw new RangeError(`shim frame ${messageName(type)}: ${len} bytes`);
      if (this.buf.length < FRAME_HEADER_BYTES + len) break;
      out.push({ type, payload: Buffer.from(this.buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len)) });
      this.buf = this.buf.subarray(FRAME_HEADER_BYTES + len);
    }
    return out;
  }

  /** Bytes of an incomplete frame still buffered. */
  get pending(): number {
    return this.buf.length;
  }
}

function pair(key: string, value: string | number): string {
  const v = String(value);
  if (v.includes('\0')) throw new RangeError(`shim: ${key} contains NUL`);
  return `${key}=${v}\0`;
}

/** What the engine tells a new monitor: the container to build (BOOTSTRAP frame). */
export interface ShimBootstrap {
  id: number;
  name: string;
  /** Absolute instance directory; must exist (shim.log, sockets, fifos, exit live here). */
  dir: string;
  /** Absolute rootfs directory (the overlay's lower dir when snapshot). */
  rootfs: string;
  snapshot: boolean;
  hostname: string;
  uuid: string;
  init: string[];
  env: string[];
  /** init's working directory inside the container (an image's WorkingDir); omitted: /. */
  cwd?: string;
  /** Absolute host path run with full privileges in the container's namespaces before pivot_root (shim/src/preinit.h); '' for none. */
  preinit: string;
  fifos: number;
  volumes: { src: string; dst: string; readonly: boolean }[];
  /** Absolute cgroup directories the child joins (writes 0 to cgroup.procs). */
  cgroups: string[];
  /** Extra capabilities beyond the default (Docker's 14 and NET_ADMIN), e.g. 'NET_BROADCAST'. */
  caps: string[];
  /** false: no seccomp filter and no no_new_privs. Omitted: the shim's default, on. */
  seccomp?: boolean;
  /** true: create /dev/net/tun. Omitted: no. */
  tun?: boolean;
  /** cgroup2 directory the shim attaches its eBPF device filter to; omitted when v1 devices.allow does the job. */
  devcgroup?: string;
  /**
   * The container's freezer (v2: its cgroup2 directory; v1: its freezer directory): the monitor
   * freezes it once the child is READY and reports READY "frozen". Omitted: the engine freezes.
   */
  freeze?: { mode: 'v2' | 'v1'; dir: string };
  /**
   * No NICs and no EXEC will follow (needs `freeze`): the monitor goes on after MOUNTED by itself
   * and hands init EXEC once it froze the cgroup, so the engine only waits for PID and READY.
   */
  unattended?: boolean;
  /**
   * NICs to make, so CONTINUE follows MOUNTED, but no EXEC (needs `freeze`): the monitor hands init
   * EXEC once it froze the cgroup at READY, as when unattended.
   */
  autoexec?: boolean;
  cols: number;
  rows: number;
  scrollback: number;
  /**
   * Snapshot mode: the size in bytes of the tmpfs the monitor mounts at <dir>/layer for the
   * overlay's upper and work dirs (kept until flush). Omitted: upper and work in <dir> itself.
   */
  diskSize?: number;
}

/** The BOOTSTRAP payload: `key=value\0` pairs, repeated keys for lists. */
export function encodeBootstrap(b: ShimBootstrap): Buffer {
  let s = '';
  s += pair('id', b.id);
  s += pair('name', b.name);
  s += pair('dir', b.dir);
  s += pair('rootfs', b.rootfs);
  s += pair('snapshot', b.snapshot ? 1 : 0);
  s += pair('hostname', b.hostname);
  s += pair('uuid', b.uuid);
  for (const a of b.init) s += pair('init', a);
  for (const e of b.env) s += pair('env', e);
  if (b.cwd) s += pair('cwd', b.cwd);
  s += pair('preinit', b.preinit);
  s += pair('fifos', b.fifos);
  for (const v of b.volumes) {
    if (v.src.includes('|') || v.dst.includes('|')) throw new RangeError(`shim bootstrap: volume path contains |`);
    s += pair('volume', `${v.readonly ? 'ro' : 'rw'}|${v.src}|${v.dst}`);
  }
  for (const c of b.cgroups) s += pair('cgroup', c);
  for (const c of b.caps) s += pair('caps', c);
  if (b.seccomp !== undefined) s += pair('seccomp', b.seccomp ? 1 : 0);
  if (b.tun !== undefined) s += pair('tun', b.tun ? 1 : 0);
  if (b.devcgroup) s += pair('devcgroup', b.devcgroup);
  if (b.freeze) s += pair(b.freeze.mode === 'v2' ? 'freeze' : 'freezer', b.freeze.dir);
  if (b.unattended) {
    if (!b.freeze) throw new RangeError('shim bootstrap: unattended needs a freezer');
    s += pair('unattended', 1);
  }
  if (b.autoexec) {
    if (!b.freeze) throw new RangeError('shim bootstrap: autoexec needs a freezer');
    s += pair('autoexec', 1);
  }
  s += pair('cols', b.cols);
  s += pair('rows', b.rows);
  s += pair('scrollback', b.scrollback);
  if (b.diskSize !== undefined) s += pair('disksize', b.diskSize);
  return Buffer.from(s, 'utf8');
}

/** The container end of one NIC, for CONTINUE (engine/net's ContainerNic). */
export interface ShimNic {
  ifname: string;
  /** 'a.b.c.d/len', an IPv6 address with optional /len, or '' for none. */
  ip: string;
}

/**
 * The CONTINUE payload: `nic=<ifname>|<ip>\0` per NIC, in order; empty without NICs. The child
 * brings lo and each NIC up and adds the addresses over rtnetlink before preinit.
 */
export function encodeContinue(nics: readonly ShimNic[]): Buffer {
  let s = '';
  for (const n of nics) {
    if (n.ifname.includes('|') || n.ifname === '') throw new RangeError(`shim continue: bad interface name \`${n.ifname}\``);
    s += pair('nic', `${n.ifname}|${n.ip}`);
  }
  return Buffer.from(s, 'utf8');
}

/** What to run in a running container (EXEC_START, protocol.h). */
export interface ExecSpec {
  /** argv; the command is searched in the PATH of the environment. Not with put/get. */
  argv?: string[];
  /** KEY=VALUE on top of init's environment. */
  env?: string[];
  /** Working directory inside the container (resolved inside its root); default "/". */
  cwd?: string;
  /** A new pty of the container's devpts as stdin/stdout/stderr. */
  tty?: boolean;
  cols?: number;
  rows?: number;
  /** false: the process gets an empty stdin at once. Default true. */
  stdin?: boolean;
  /** Names the session for a later attach (1-64 of [A-Za-z0-9._-]). */
  token?: string;
  /** Keep running when the client goes; output waits until a client attaches with the token. */
  detach?: boolean;
  /** Write stdin into this regular file inside the container (parents created). */
  put?: string;
  /** Octal permission bits for put (default 0o644). */
  mode?: number;
  /** Copy this regular file inside the container to stdout. */
  get?: string;
}

export const EXEC_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

/** The EXEC_START payload. Throws RangeError on what the monitor would refuse. */
export function encodeExecStart(spec: ExecSpec): Buffer {
  const argv = spec.argv ?? [];
  if (spec.put !== undefined && spec.get !== undefined) throw new RangeError('exec: put and get together');
  const transfer = spec.put ?? spec.get;
  if (transfer === undefined && (argv.length === 0 || argv[0] === '')) throw new RangeError('exec: no command');
  if (transfer !== undefined && (argv.length > 0 || transfer === '')) throw new RangeError('exec: put/get take a path and no command');
  if (spec.token !== undefined && !EXEC_TOKEN.test(spec.token)) throw new RangeError(`exec: bad token ${JSON.stringify(spec.token)}`);
  if (spec.detach && spec.token === undefined) throw new RangeError('exec: detach needs a token');
  let s = '';
  for (const a of argv) s += pair('arg', a);
  for (const e of spec.env ?? []) {
    if (!/^[^=]+=/.test(e)) throw new RangeError(`exec: env ${JSON.stringify(e)} is not KEY=VALUE`);
    s += pair('env', e);
  }
  if (spec.cwd !== undefined) s += pair('cwd', spec.cwd);
  if (spec.tty) s += pair('tty', 1);
  if (spec.cols !== undefined) s += pair('cols', spec.cols);
  if (spec.rows !== undefined) s += pair('rows', spec.rows);
  if (spec.stdin === false) s += pair('stdin', 0);
  if (spec.token !== undefined) s += pair('token', spec.token);
  if (spec.detach) s += pair('detach', 1);
  if (spec.put !== undefined) s += pair('put', spec.put);
  if (spec.get !== undefined) s += pair('get', spec.get);
  if (spec.mode !== undefined) s += pair('mode', (spec.mode & 0o7777).toString(8));
  return Buffer.from(s, 'utf8');
}

/** The READY payload of a monitor that froze the container's cgroup itself (bootstrap `freeze`). */
export const READY_FROZEN = 'frozen';

/** Splits an ERROR payload "<errno>\0<message>". */
export function decodeError(payload: Buffer): { errno: number; message: string } {
  const nul = payload.indexOf(0);
  if (nul < 0) return { errno: 0, message: payload.toString('utf8') };
  return { errno: Number(payload.subarray(0, nul).toString('latin1')) || 0, message: payload.subarray(nul + 1).toString('utf8') };
}

/** One interface of an ADDRS answer, as the container's network namespace has it. */
export interface ShimIfaceAddrs {
  ifname: string;
  /** Lower-case "xx:xx:…", or '' when the link has no link-layer address. */
  mac: string;
  /** CIDRs ("10.1.0.1/24"), in kernel order. */
  ip: string[];
  ip6: string[];
}

/**
 * Decodes an ADDRS answer: `<ifname>\t<mac>\t<v4 CIDRs>\t<v6 CIDRs>\n` per interface (lo included),
 * CIDRs comma-separated; or a failure `<errno>\0<message>` (an answer never holds NUL), thrown.
 */
export function decodeAddrs(payload: Buffer): ShimIfaceAddrs[] {
  if (payload.includes(0)) {
    const { errno, message } = decodeError(payload);
    throw Object.assign(new Error(message), { errno });
  }
  const list = (s: string | undefined) => (s ? s.split(',') : []);
  const out: ShimIfaceAddrs[] = [];
  for (const line of payload.toString('utf8').split('\n')) {
    if (line === '') continue;
    const [ifname, mac, ip, ip6] = line.split('\t');
    if (!ifname || ip6 === undefined) throw new Error(`ADDRS: bad line \`${line}\``);
    out.push({ ifname, mac: mac ?? '', ip: list(ip), ip6: list(ip6) });
  }
  return out;
}
