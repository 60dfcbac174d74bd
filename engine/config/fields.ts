/**
 * The `vm config` field table: each field's doc (help text), setter synopsis, getter text, setter parsing
 * and reset. Output follows minimega's generated vm config code: strings print as-is, integers in
 * decimal, booleans as true/false, argv lists as Go prints a slice (`[/init]`), maps as JSON.
 */
import type { ContainerConfig } from '../api/types.js';
import { configError } from '../errors.js';
import { capName } from './caps.js';
import { marshalMap, parseBool, parseUint } from './go-values.js';
import { netSpecString, parseNetSpec } from './netspec.js';

export interface Field {
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
