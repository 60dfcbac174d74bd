/**
 * The `vm config` field table: every field minimega has (plus nanomega's own), with its doc (help text),
 * kind (which decides the command's pattern), getter text, setter and reset. Output follows minimega's
 * generated code: strings as-is, integers in decimal, booleans as true/false, lists as Go prints a slice
 * (`[a b]`, nothing when empty), maps as `key -> value` lines. Fields of the container and base blocks
 * are here; KVM, Android and placement fields are in fields-other.ts.
 */
import { configError } from '../errors.js';
import { capName } from './caps.js';
import { type Field, type FieldEnv, type FieldScope, goList, listGet, mapLines } from './field.js';
import { OTHER_FIELDS } from './fields-other.js';
import { parseUint } from './go-values.js';
import { netSpecString, parseNetSpec } from './netspec.js';
import { resolveHostPath } from './paths.js';
import { DEFAULT_DISK_SIZE, formatSize, parseSize } from './sizes.js';
import { bondString, parseBondSpec } from './specs.js';

function one(field: string, args: string[]): string {
  if (args.length !== 1) throw configError(field, args.join(' '), `vm config ${field} takes one value`);
  return args[0]!;
}

function bool(args: string[], field: string): boolean {
  const v = one(field, args);
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw configError(field, v, `vm config ${field} takes true or false, not \`${v}\``);
}

function without(m: Record<string, string>, key: string): Record<string, string> {
  const out = { ...m };
  delete out[key];
  return out;
}

function mapField(
  name: 'volume' | 'tags',
  scope: FieldScope,
  doc: string,
  prop: 'volumes' | 'tags',
  value: (v: string, env: FieldEnv) => string = (v) => v,
): Field {
  return {
    name,
    kind: 'map',
    scope,
    doc,
    get: (v, key) => (key !== undefined ? (v.c[prop][key] ?? '') : mapLines(v.c[prop])),
    set: (v, a, env) => {
      if (a.length !== 2) throw configError(name, a.join(' '), `vm config ${name} takes <key> <value>`);
      v.c[prop] = { ...v.c[prop], [a[0]!]: value(a[1]!, env) };
    },
    clear: (v, key) => void (v.c[prop] = key === undefined ? {} : without(v.c[prop], key)),
  };
}

/** Fields of minimega's base block, in its print order. */
const BASE_FIELDS: Field[] = [
  {
    name: 'uuid',
    kind: 'string',
    scope: 'base',
    doc: 'Fixed UUID (only when launching one VM); empty for a random one. A container sees it as /sys/devices/virtual/dmi/id/product_uuid.',
    get: (v) => v.c.uuid,
    set: (v, a) => void (v.c.uuid = one('uuid', a)),
    clear: (v) => void (v.c.uuid = ''),
  },
  {
    name: 'vcpus',
    kind: 'uint',
    scope: 'base',
    doc: 'CPUs: for a container, a CPU quota of that many cores (cgroup). Default 1.',
    get: (v) => String(v.c.vcpus),
    set: (v, a) => void (v.c.vcpus = parseUint(one('vcpus', a))),
    clear: (v) => void (v.c.vcpus = 1),
  },
  {
    name: 'memory',
    kind: 'uint',
    scope: 'base',
    doc: 'Memory in megabytes: for a container, its memory limit (cgroup). Default 2048.',
    get: (v) => String(v.c.memory),
    set: (v, a) => void (v.c.memory = parseUint(one('memory', a))),
    clear: (v) => void (v.c.memory = 2048),
  },
  {
    name: 'snapshot',
    kind: 'bool',
    scope: 'base',
    doc: 'true: run on an overlay and leave the filesystem untouched; false: run directly on the directory (two such containers on one directory conflict). Default true.',
    get: (v) => String(v.c.snapshot),
    set: (v, a) => void (v.c.snapshot = bool(a, 'snapshot')),
    clear: (v) => void (v.c.snapshot = true),
  },
  {
    name: 'backchannel',
    kind: 'bool',
    scope: 'base',
    doc: 'Enable the command-and-control backchannel (cc). Default true.',
    get: (v) => String(v.c.backchannel),
    set: (v, a) => void (v.c.backchannel = bool(a, 'backchannel')),
    clear: (v) => void (v.c.backchannel = true),
  },
  {
    name: 'networks',
    kind: 'specs',
    spec: 'netspec',
    scope: 'base',
    doc: "Network interfaces, one netspec each: minimega's [bridge,]vlan[,mac][,driver][,qinq], plus an optional last ip/prefix assigned inside. VLAN is 0-4095 or an alias such as LAN (allocated now, listed by `vlans`); the driver is kept for KVM and ignored by containers; qinq needs Open vSwitch. A container gets one veth per netspec (veth0, veth1, …).",
    get: (v) => `[${v.c.net.map(netSpecString).join(' ')}]`,
    set: (v, a) => void (v.c.net = a.map(parseNetSpec)),
    clear: (v) => void (v.c.net = []),
  },
  {
    name: 'bonds',
    kind: 'specs',
    spec: 'bondspec',
    scope: 'base',
    doc: 'OVS bonds over interfaces: <indexes>,<mode>[,<lacp>][,no-lacp-fallback][,qinq][,<name>]. Kept and printed; containers do not use them.',
    get: (v) => `[${v.x.bonds.map(bondString).join(' ')}]`,
    set: (v, a) => void (v.x.bonds = a.map(parseBondSpec)),
    clear: (v) => void (v.x.bonds = []),
  },
  mapField('tags', 'base', 'Tags copied to every VM launched from this config: `tags <key> <value>` sets one, `tags` lists them.', 'tags'),
];

/** Fields of minimega's container block, in its print order. */
const CONTAINER_FIELDS: Field[] = [
  {
    name: 'filesystem',
    kind: 'string',
    scope: 'container',
    doc: 'Root filesystem directory of the container; unset selects the built-in host filesystem. In snapshot mode the read-only lower layer of an overlay. A relative path is relative to the files directory (serve --filepath, default <base>/files).',
    get: (v) => v.c.filesystem,
    set: (v, a, env) => void (v.c.filesystem = resolveHostPath(one('filesystem', a), env.filesDir)),
    clear: (v) => void (v.c.filesystem = ''),
  },
  {
    name: 'hostname',
    kind: 'string',
    scope: 'container',
    doc: "Hostname inside the container; unset means the container's name.",
    get: (v) => v.c.hostname,
    set: (v, a) => void (v.c.hostname = one('hostname', a)),
    clear: (v) => void (v.c.hostname = ''),
  },
  {
    name: 'init',
    kind: 'list',
    scope: 'container',
    doc: 'Program and arguments run as PID 1, a path inside the root filesystem. Default /init.',
    get: (v) => listGet(v.c.init),
    set: (v, a) => {
      if (a.length === 0) throw configError('init', '', 'vm config init needs a program');
      v.c.init = [...a];
    },
    clear: (v) => void (v.c.init = ['/init']),
  },
  {
    name: 'preinit',
    kind: 'string',
    scope: 'container',
    doc: "Host program run with full privileges in the container's namespaces (its NICs up) before its root filesystem is pivoted and locked down, with its path as $1 (`sysctl -w net.ipv4.ip_forward=1` for a router). Root-owned, not group/world-writable, no symlink in its path; a relative path is relative to the files directory. A non-zero exit fails the launch; what it leaves running is killed.",
    get: (v) => v.c.preinit,
    set: (v, a, env) => void (v.c.preinit = resolveHostPath(one('preinit', a), env.filesDir)),
    clear: (v) => void (v.c.preinit = ''),
  },
  {
    name: 'fifos',
    kind: 'uint',
    scope: 'container',
    doc: 'Named pipes shared between the host (<instance>/fifoN) and the container (/dev/fifos/fifoN).',
    get: (v) => String(v.c.fifos),
    set: (v, a) => void (v.c.fifos = parseUint(one('fifos', a))),
    clear: (v) => void (v.c.fifos = 0),
  },
  mapField(
    'volume',
    'container',
    'Bind mounts: `volume <container-path> <host-path>` adds one (a relative host path is relative to the files directory), `volume` lists them, `volume <container-path>` prints one.',
    'volumes',
    (host, env) => resolveHostPath(host, env.filesDir),
  ),
];

/** nanomega's own container settings (printed in their own block after minimega's). */
const NANOMEGA_FIELDS: Field[] = [
  {
    name: 'caps',
    kind: 'list',
    scope: 'nanomega',
    doc: "Capabilities added to the default set (Docker's 14 plus NET_ADMIN, which acts on the container's own network namespace only), by name (`caps NET_BROADCAST SYS_TIME`); every other capability is dropped from the bounding set.",
    get: (v) => goList(v.c.caps ?? []),
    set: (v, a) => void (v.c.caps = a.map(capName)),
    clear: (v) => void delete v.c.caps,
  },
  {
    name: 'seccomp',
    kind: 'bool',
    scope: 'nanomega',
    doc: 'true (default): no_new_privs and the seccomp filter; false: neither, for trusted containers that need namespace, mount or similar calls.',
    get: (v) => String(v.c.seccomp ?? true),
    set: (v, a) => void (v.c.seccomp = bool(a, 'seccomp')),
    clear: (v) => void delete v.c.seccomp,
  },
  {
    name: 'tun',
    kind: 'bool',
    scope: 'nanomega',
    doc: 'true: create /dev/net/tun in the container and allow it in the device policy. Default false.',
    get: (v) => String(v.c.tun ?? false),
    set: (v, a) => void (v.c.tun = bool(a, 'tun')),
    clear: (v) => void delete v.c.tun,
  },
  {
    name: 'disk-size',
    kind: 'string',
    scope: 'nanomega',
    doc:
      'Size limit of the writable layer in snapshot mode (512M, 2G, bytes; K/M/G/T are binary). Default 1G. ' +
      'The layer is a tmpfs of that size kept from launch to flush: a container that fills it gets ENOSPC and cannot ' +
      'fill the disk holding the base; what it writes is memory, charged to its memory limit. Not for snapshot false.',
    get: (v) => formatSize(v.c.diskSize ?? DEFAULT_DISK_SIZE),
    set: (v, a) => void (v.c.diskSize = parseSize('disk-size', one('disk-size', a))),
    clear: (v) => void delete v.c.diskSize,
  },
];

/** Every field: base, container, the fields containers ignore, then nanomega's own. */
export const FIELDS: readonly Field[] = [...BASE_FIELDS, ...CONTAINER_FIELDS, ...OTHER_FIELDS, ...NANOMEGA_FIELDS];

/** Every name a field answers to (its name and aliases). */
export function fieldNames(f: Field): string[] {
  return [f.name, ...(f.aliases ?? [])];
}

/** Resolve a field name: an exact name wins, else a unique prefix. */
export function findField(name: string): Field {
  const exact = FIELDS.find((f) => fieldNames(f).includes(name));
  if (exact) return exact;
  const matches = FIELDS.filter((f) => name !== '' && fieldNames(f).some((n) => n.startsWith(name)));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw configError(name, name, `ambiguous vm config field \`${name}\`: ${matches.map((f) => f.name).join(', ')}`);
  }
  throw configError(name, name, `unknown vm config field \`${name}\``);
}
