/**
 * `vm config` for containers: defaults, the field table (its doc comments double as help), parsing of
 * setter arguments, getter text, the `vm config` block, save/restore/clone and validation.
 *
 * Output follows minimega's generated vm config code: strings print as-is, integers in decimal, booleans
 * as true/false, argv lists as Go prints a slice (`[/init]`), maps as JSON, `net` as `[bridge,vlan[,mac]]`.
 */
import type { ContainerConfig, NetSpec } from '../api/types.js';
import { configError } from '../errors.js';
import { checkIfname, DEFAULT_BRIDGE, isMac } from '../net/netspec.js';

export { DEFAULT_BRIDGE };
import { validateConfig } from './validate.js';

export { validateConfig };

export function defaultConfig(): ContainerConfig {
  return {
    filesystem: '',
    hostname: '',
    init: ['/init'],
    preinit: '',
    fifos: 0,
    volumes: {},
    memory: 2048,
    vcpus: 1,
    snapshot: true,
    uuid: '',
    net: [],
    tags: {},
    backchannel: true,
  };
}

/** Deep copy (configs are plain JSON data). */
export function copyConfig(c: ContainerConfig): ContainerConfig {
  return {
    ...c,
    init: [...c.init],
    volumes: { ...c.volumes },
    net: c.net.map((n) => ({ ...n })),
    tags: { ...c.tags },
    ...(c.caps ? { caps: [...c.caps] } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Value parsing and printing, Go-style.

const UINT_RE = /^[0-9]+$/;

/** Go's strconv.ParseUint(s, 10, 64) with its exact error texts. */
export function parseUint(s: string): number {
  if (!UINT_RE.test(s)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const big = BigInt(s);
  if (big > 18446744073709551615n) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return Number(big);
}

/** Go's strconv.ParseBool. */
export function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go's %q for the plain strings we quote in errors. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's json.Marshal of a map[string]string: sorted keys, <, > and & escaped. */
export function marshalMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  const body = keys.map((k) => `${goJsonString(k)}:${goJsonString(m[k]!)}`).join(',');
  return `{${body}}`;
}

export function goJsonString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// ---------------------------------------------------------------------------------------------------
// Network specs.

const VLAN_ALIAS_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const IPV4_CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR_RE = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

function isCidr(s: string): boolean {
  const m = IPV4_CIDR_RE.exec(s);
  if (m) return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  const m6 = IPV6_CIDR_RE.exec(s);
  return !!m6 && s.includes(':') && Number(m6[1]) <= 128;
}

function checkVlan(spec: string, vlan: string): void {
  if (/^[0-9]+$/.test(vlan)) {
    const n = Number(vlan);
    if (n < 1 || n > 4094) throw configError('net', spec, `invalid vlan ${vlan} in netspec \`${spec}\`: must be 1-4094`);
    return;
  }
  if (!VLAN_ALIAS_RE.test(vlan)) throw configError('net', spec, `invalid vlan \`${vlan}\` in netspec \`${spec}\``);
}

/**
 * Parse one minimega netspec `[bridge,]vlan[,mac]`. As an extension, an address in CIDR form may follow as
 * the last part (`101,10.0.0.5/24` or `br0,LAN,00:11:22:33:44:55,10.0.0.5/24`); it is assigned inside the
 * container. The VLAN is a number (1-4094) or an alias such as `LAN`.
 */
export function parseNetSpec(spec: string): NetSpec {
  const parts = spec.split(',');
  let ip = '';
  if (parts.length > 1 && parts[parts.length - 1]!.includes('/')) {
    const last = parts.pop()!;
    if (!isCidr(last)) throw configError('net', spec, `invalid address \`${last}\` in netspec \`${spec}\`: want CIDR form like 10.0.0.5/24`);
    ip = last;
  }
  if (parts.some((p) => p === '')) throw configError('net', spec, `malformed netspec \`${spec}\``);
  let bridge = '';
  let vlan: string;
  let mac = '';
  switch (parts.length) {
    case 1:
      vlan = parts[0]!;
      break;
    case 2:
      if (isMac(parts[1]!)) {
        vlan = parts[0]!;
        mac = parts[1]!;
      } else {
        bridge = parts[0]!;
        vlan = parts[1]!;
      }
      break;
    case 3:
      [bridge, vlan, mac] = parts as [string, string, string];
      if (!isMac(mac)) throw configError('net', spec, `malformed mac address \`${mac}\` in netspec \`${spec}\``);
      break;
    default:
      throw configError('net', spec, `malformed netspec \`${spec}\``);
  }
  if (bridge !== '') checkIfname(bridge, 'net.bridge');
  checkVlan(spec, vlan);
  return { bridge, vlan, mac: mac.toLowerCase(), ip };
}

/** One NIC as `vm config net` prints it: `bridge,vlan[,mac][,ip]` with the default bridge named. */
export function netSpecString(n: NetSpec): string {
  const parts = [n.bridge || DEFAULT_BRIDGE, n.vlan];
  if (n.mac) parts.push(n.mac);
  if (n.ip) parts.push(n.ip);
  return parts.join(',');
}

// ---------------------------------------------------------------------------------------------------
// The field table.

interface Field {
  /** `vm config <name>`. */
  name: string;
  /** Help text (CLI `help`, GUI tooltips). */
  doc: string;
  /** Setter argument synopsis. */
  usage: string;
  get(c: ContainerConfig, key?: string): string;
  set(c: ContainerConfig, args: string[]): void;
  clear(c: ContainerConfig, key?: string): void;
}

function one(field: string, args: string[]): string {
  if (args.length !== 1) throw configError(field, args.join(' '), `vm config ${field} takes one value`);
  return args[0]!;
}

/** The fields of `vm config` a container uses, in `vm config` print order. */
export const FIELDS: readonly Field[] = [
  {
    name: 'filesystem',
    doc: 'Root filesystem directory of the container; empty selects the built-in host filesystem. In snapshot mode it is the read-only lower layer of an overlay.',
    usage: '<path>',
    get: (c) => c.filesystem,
    set: (c, a) => void (c.filesystem = one('filesystem', a)),
    clear: (c) => void (c.filesystem = ''),
  },
  {
    name: 'hostname',
    doc: "Hostname inside the container; empty means the container's name.",
    usage: '<name>',
    get: (c) => c.hostname,
    set: (c, a) => void (c.hostname = one('hostname', a)),
    clear: (c) => void (c.hostname = ''),
  },
  {
    name: 'init',
    doc: 'Program (and arguments) run as PID 1, a path inside the root filesystem. Default /init.',
    usage: '<program> [args]...',
    get: (c) => `[${c.init.join(' ')}]`,
    set: (c, a) => {
      if (a.length === 0) throw configError('init', '', 'vm config init needs a program');
      c.init = [...a];
    },
    clear: (c) => void (c.init = ['/init']),
  },
  {
    name: 'preinit',
    doc: 'Program run with full privileges before the container is isolated; a non-zero exit fails the launch.',
    usage: '<program>',
    get: (c) => c.preinit,
    set: (c, a) => void (c.preinit = one('preinit', a)),
    clear: (c) => void (c.preinit = ''),
  },
  {
    name: 'fifos',
    doc: 'Number of named pipes shared between the host (<instance>/fifoN) and the container (/dev/fifos/fifoN).',
    usage: '<count>',
    get: (c) => String(c.fifos),
    set: (c, a) => void (c.fifos = parseUint(one('fifos', a))),
    clear: (c) => void (c.fifos = 0),
  },
  {
    name: 'volume',
    doc: 'Bind mounts: `volume <container-path> <host-path>` adds one; `volume` lists them; `volume <container-path>` prints its host path.',
    usage: '<container-path> <host-path>',
    get: (c, key) => {
      if (key !== undefined) return c.volumes[key] ?? '';
      return Object.keys(c.volumes)
        .sort()
        .map((k) => `${k} -> ${c.volumes[k]}`)
        .join('\n');
    },
    set: (c, a) => {
      if (a.length !== 2) throw configError('volume', a.join(' '), 'vm config volume takes <container-path> <host-path>');
      c.volumes = { ...c.volumes, [a[0]!]: a[1]! };
    },
    clear: (c, key) => {
      if (key === undefined) c.volumes = {};
      else {
        const v = { ...c.volumes };
        delete v[key];
        c.volumes = v;
      }
    },
  },
  {
    name: 'memory',
    doc: 'Memory limit in megabytes (cgroup). Default 2048.',
    usage: '<MB>',
    get: (c) => String(c.memory),
    set: (c, a) => void (c.memory = parseUint(one('memory', a))),
    clear: (c) => void (c.memory = 2048),
  },
  {
    name: 'vcpus',
    doc: 'CPU quota in cores (quota = vcpus × period). Default 1.',
    usage: '<count>',
    get: (c) => String(c.vcpus),
    set: (c, a) => void (c.vcpus = parseUint(one('vcpus', a))),
    clear: (c) => void (c.vcpus = 1),
  },
  {
    name: 'snapshot',
    doc: 'true: run on an overlay and leave the filesystem untouched; false: run directly on the directory (two such containers on one directory conflict).',
    usage: '<true,false>',
    get: (c) => String(c.snapshot),
    set: (c, a) => void (c.snapshot = parseBool(one('snapshot', a))),
    clear: (c) => void (c.snapshot = true),
  },
  {
    name: 'uuid',
    doc: 'Fixed UUID (only for launching a single container); empty for a random one. Seen inside as /sys/devices/virtual/dmi/id/product_uuid.',
    usage: '<uuid>',
    get: (c) => c.uuid,
    set: (c, a) => void (c.uuid = one('uuid', a)),
    clear: (c) => void (c.uuid = ''),
  },
  {
    name: 'net',
    doc: 'NICs, one veth each: `[bridge,]vlan[,mac][,ip/prefix]` per NIC. VLAN is a number or an alias such as LAN.',
    usage: '<netspec>...',
    get: (c) => `[${c.net.map(netSpecString).join(' ')}]`,
    set: (c, a) => {
      if (a.length === 0) throw configError('net', '', 'vm config net needs at least one netspec');
      c.net = a.map(parseNetSpec);
    },
    clear: (c) => void (c.net = []),
  },
  {
    name: 'tags',
    doc: 'Free-form labels copied to each container at launch: `tags <key> <value>` sets one, `tags <key>` prints one, `tags` prints all as JSON.',
    usage: '<key> <value>',
    get: (c, key) => (key !== undefined ? (c.tags[key] ?? '') : marshalMap(c.tags)),
    set: (c, a) => {
      if (a.length !== 2) throw configError('tags', a.join(' '), 'vm config tags takes <key> <value>');
      c.tags = { ...c.tags, [a[0]!]: a[1]! };
    },
    clear: (c, key) => {
      if (key === undefined) c.tags = {};
      else {
        const t = { ...c.tags };
        delete t[key];
        c.tags = t;
      }
    },
  },
  {
    name: 'caps',
    doc: "Capabilities added to Docker's default 14, by name (`caps NET_ADMIN NET_BROADCAST` for a router); empty for none. Every other capability is dropped from the bounding set.",
    usage: '<capability>...',
    get: (c) => `[${(c.caps ?? []).join(' ')}]`,
    set: (c, a) => void (c.caps = a.map(capName)),
    clear: (c) => void delete c.caps,
  },
  {
    name: 'seccomp',
    doc: 'true (default): no_new_privs and the seccomp filter (namespace creation, mount, keyrings, bpf, module loading, kexec, clock setting … fail with EPERM). false: neither, for trusted containers that need those calls; capabilities and the device policy still apply.',
    usage: '<true,false>',
    get: (c) => String(c.seccomp ?? true),
    set: (c, a) => void (c.seccomp = parseBool(one('seccomp', a))),
    clear: (c) => void delete c.seccomp,
  },
  {
    name: 'tun',
    doc: 'true: create /dev/net/tun in the container and allow it (10:200) in the device policy. Default false.',
    usage: '<true,false>',
    get: (c) => String(c.tun ?? false),
    set: (c, a) => void (c.tun = parseBool(one('tun', a))),
    clear: (c) => void delete c.tun,
  },
  {
    name: 'backchannel',
    doc: 'Accepted for minimega compatibility (command-and-control backchannel); no effect yet.',
    usage: '<true,false>',
    get: (c) => String(c.backchannel),
    set: (c, a) => void (c.backchannel = parseBool(one('backchannel', a))),
    clear: (c) => void (c.backchannel = true),
  },
];

/** Linux capability names (without CAP_), numbered as in linux/capability.h; the shim has the same list. */
export const CAP_NAMES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** `net_admin`, `CAP_NET_ADMIN` → `NET_ADMIN`; unknown names are refused. */
export function capName(s: string): string {
  const n = s.toUpperCase().replace(/^CAP_/, '');
  if (!CAP_NAMES.includes(n)) throw configError('caps', s, `unknown capability \`${s}\``);
  return n;
}

/** Fields whose getter takes a key (`vm config volume /x`, `vm config tags k`). */
export const KEYED_FIELDS: readonly string[] = ['volume', 'tags'];

/** Resolve a field name by prefix; an exact name always wins. */
export function findField(name: string): Field {
  const exact = FIELDS.find((f) => f.name === name);
  if (exact) return exact;
  const matches = FIELDS.filter((f) => name !== '' && f.name.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw configError(name, name, `ambiguous vm config field \`${name}\`: ${matches.map((f) => f.name).join(', ')}`);
  }
  throw configError(name, name, `unknown vm config field \`${name}\``);
}

// ---------------------------------------------------------------------------------------------------
// Validation.

// ---------------------------------------------------------------------------------------------------
// The store behind `vm config`.

/** Align `label:\tvalue` lines like Go's tabwriter (min width 5, padding 1). */
function alignBlock(rows: [string, string][]): string {
  const width = Math.max(5, ...rows.map(([k]) => [...k].length + 1));
  return rows.map(([k, v]) => (k + ' '.repeat(width - [...k].length) + v).trimEnd()).join('\n');
}

export class ConfigStore {
  current: ContainerConfig = defaultConfig();
  private readonly saved = new Map<string, ContainerConfig>();

  /** Getter text of a field (prefix names allowed); `key` for keyed fields (volume, tags). */
  get(field: string, key?: string): string {
    const f = findField(field);
    if (key !== undefined && !KEYED_FIELDS.includes(f.name)) {
      throw configError(f.name, key, `vm config ${f.name} takes no key`);
    }
    return f.get(this.current, key);
  }

  /** Set a field from its CLI arguments; the config is left unchanged when the value is refused. */
  set(field: string, args: string[]): void {
    const f = findField(field);
    const next = copyConfig(this.current);
    f.set(next, args);
    validateConfig(next);
    this.current = next;
  }

  /** Reset one field (or one key of a keyed field) or, with no field, everything. */
  clear(field?: string, key?: string): void {
    if (field === undefined) {
      this.current = defaultConfig();
      return;
    }
    const f = findField(field);
    const next = copyConfig(this.current);
    f.clear(next, key);
    this.current = next;
  }

  save(name: string): void {
    this.saved.set(name, copyConfig(this.current));
  }

  restore(name: string): void {
    const c = this.saved.get(name);
    if (!c) throw configError('config', name, `config ${name} does not exist`);
    this.current = copyConfig(c);
  }

  /** Names of saved configs, sorted. */
  savedNames(): string[] {
    return [...this.saved.keys()].sort();
  }

  /** Copy a container's config (as launched) but not its UUID. */
  clone(from: ContainerConfig): void {
    const c = copyConfig(from);
    c.uuid = '';
    this.current = c;
  }

  /** `vm config` alone: minimega's base block then the container block. */
  print(): string {
    const c = this.current;
    const base = alignBlock([
      ['Memory:', String(c.memory)],
      ['VCPUS:', String(c.vcpus)],
      ['Networks:', FIELDS.find((f) => f.name === 'net')!.get(c)],
      ['Snapshot:', String(c.snapshot)],
      ['UUID:', c.uuid],
      ['Tags:', marshalMap(c.tags)],
    ]);
    const volumes: [string, string][] = Object.keys(c.volumes)
      .sort()
      .map((k) => ['', `${k} -> ${c.volumes[k]}`]);
    const container = alignBlock([
      ['Filesystem Path:', c.filesystem],
      ['Hostname:', c.hostname],
      ['Init:', `[${c.init.join(' ')}]`],
      ['Pre-init:', c.preinit],
      ['FIFOs:', String(c.fifos)],
      ['Volumes:', ''],
      ...volumes,
    ]);
    return `Current VM configuration:\n${base}\n\nContainer configuration:\n${container}`;
  }
}
