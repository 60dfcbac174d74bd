/**
 * `vm config` fields a container does not use: cluster placement (schedule, colocate, coschedule) and
 * every KVM and Android field. They parse and print exactly as minimega's, are kept, saved, restored and
 * shown by `vm config`, and a container launch ignores them, so mixed KVM/container scripts run. QEMU is
 * not consulted: `cpu` and `machine` take any value here (minimega checks them against its QEMU).
 */
import { configError } from '../errors.js';
import type { AndroidSettings, KvmSettings } from './extras.js';
import { type Field, type FieldEnv, type FieldScope, type VmConfig, goList } from './field.js';
import { parseUint } from './go-values.js';
import { resolveHostPath } from './paths.js';
import { diskString, parseDiskSpecs } from './specs.js';

/** minimega's checkPath: a relative path names a file in the files directory. */
function checkPath(env: FieldEnv, p: string): string {
  return resolveHostPath(p, env.filesDir);
}

/** Go's strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

function one(field: string, args: string[]): string {
  if (args.length !== 1) throw configError(field, args.join(' '), `vm config ${field} takes one value`);
  return args[0]!;
}

type Kv<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];
type KvN<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];
type KvB<T> = { [K in keyof T]: T[K] extends boolean ? K : never }[keyof T];
type KvL<T> = { [K in keyof T]: T[K] extends string[] ? K : never }[keyof T];

type Part = 'kvm' | 'android';
const part = (v: VmConfig, p: Part) => v.x[p] as unknown as Record<string, unknown>;

function str<P extends Part>(p: P, prop: Kv<P extends 'kvm' ? KvmSettings : AndroidSettings>, name: string, doc: string, def: string, path = false): Field {
  return {
    name,
    kind: 'string',
    scope: p,
    doc,
    get: (v) => part(v, p)[prop as string] as string,
    set: (v, a, env) => void (part(v, p)[prop as string] = path ? checkPath(env, one(name, a)) : one(name, a)),
    clear: (v) => void (part(v, p)[prop as string] = def),
  };
}

function uint<P extends Part>(p: P, prop: KvN<P extends 'kvm' ? KvmSettings : AndroidSettings>, name: string, doc: string, check?: (n: number) => void): Field {
  return {
    name,
    kind: 'uint',
    scope: p,
    doc,
    get: (v) => String(part(v, p)[prop as string]),
    set: (v, a) => {
      const n = parseUint(one(name, a));
      check?.(n);
      part(v, p)[prop as string] = n;
    },
    clear: (v) => void (part(v, p)[prop as string] = 0),
  };
}

function flag<P extends Part>(p: P, prop: KvB<P extends 'kvm' ? KvmSettings : AndroidSettings>, name: string, doc: string, def: boolean): Field {
  return {
    name,
    kind: 'bool',
    scope: p,
    doc,
    get: (v) => String(part(v, p)[prop as string]),
    set: (v, a) => void (part(v, p)[prop as string] = one(name, a) === 'true'),
    clear: (v) => void (part(v, p)[prop as string] = def),
  };
}

function list<P extends Part>(p: P, prop: KvL<P extends 'kvm' ? KvmSettings : AndroidSettings>, name: string, doc: string): Field {
  return {
    name,
    kind: 'list',
    scope: p,
    doc,
    get: (v) => {
      const xs = part(v, p)[prop as string] as string[];
      return xs.length === 0 ? '' : goList(xs);
    },
    set: (v, a) => void (part(v, p)[prop as string] = [...a]),
    clear: (v) => void (part(v, p)[prop as string] = []),
  };
}

/** Android console ports are even, 5554-5680 (minimega validateAndroidConsoleBasePort). */
function androidPort(n: number): void {
  if (n === 0) return;
  if (n % 2 !== 0) throw new Error('android-console-base-port must be 0 or an even port');
  if (n < 5554 || n > 5680) throw new Error('android-console-base-port must be 0 or an even port in range 5554-5680');
}

const PLACEMENT: Field[] = [
  {
    name: 'schedule',
    kind: 'string',
    scope: 'base',
    doc: 'Host to launch on (cluster placement): a host of the cluster, or localhost. Cannot be combined with colocate.',
    get: (v) => v.x.schedule,
    set: (v, a, env) => {
      const s = one('schedule', a);
      if (v.x.colocate !== '' && s !== '') throw new Error('cannot specify schedule and colocate in the same config');
      const known = env.hosts?.() ?? [env.hostname];
      if (s !== '' && !known.includes(s === 'localhost' ? env.hostname : s)) throw new Error(`host is not in namespace: ${s}`);
      v.x.schedule = s;
    },
    clear: (v) => void (v.x.schedule = ''),
  },
  {
    name: 'colocate',
    kind: 'string',
    scope: 'base',
    doc: 'Launch on the same host as this VM (cluster placement; one host here). Cannot be combined with schedule.',
    get: (v) => v.x.colocate,
    set: (v, a) => {
      const s = one('colocate', a);
      if (v.x.schedule !== '' && s !== '') throw new Error('cannot specify colocate and schedule in the same config');
      v.x.colocate = s;
    },
    clear: (v) => void (v.x.colocate = ''),
  },
  {
    name: 'coschedule',
    kind: 'int',
    scope: 'base',
    doc: 'Most other VMs on the same host (cluster placement); -1 for no limit. Default -1.',
    get: (v) => String(v.x.coschedule),
    set: (v, a) => void (v.x.coschedule = parseInt64(one('coschedule', a))),
    clear: (v) => void (v.x.coschedule = -1),
  },
];

const KVM: Field[] = [
  str('kvm', 'qemu', 'qemu', 'KVM: the QEMU binary. Default kvm.', 'kvm', true),
  str('kvm', 'kernel', 'kernel', 'KVM: kernel image to boot.', '', true),
  str('kvm', 'initrd', 'initrd', 'KVM: initrd image passed with the kernel.', '', true),
  str('kvm', 'cdrom', 'cdrom', 'KVM: cdrom image (also the boot device).', '', true),
  { ...str('kvm', 'state', 'state', 'KVM: saved VM state image to boot from (alias migrate).', '', true), aliases: ['migrate'] },
  str('kvm', 'cpu', 'cpu', 'KVM: QEMU CPU model. Default host.', 'host'),
  uint('kvm', 'sockets', 'sockets', 'KVM: CPU sockets (0: QEMU decides).'),
  uint('kvm', 'cores', 'cores', 'KVM: cores per socket (0: QEMU decides).'),
  uint('kvm', 'threads', 'threads', 'KVM: threads per core (0: QEMU decides).'),
  str('kvm', 'machine', 'machine', 'KVM: QEMU machine type.', ''),
  uint('kvm', 'serialPorts', 'serial-ports', 'KVM: serial ports.'),
  str('kvm', 'virtioPorts', 'virtio-ports', 'KVM: virtio-serial ports, a count or names.', ''),
  str('kvm', 'vga', 'vga', 'KVM: emulated display. Default std.', 'std'),
  list('kvm', 'append', 'append', 'KVM: kernel command line.'),
  {
    name: 'disks',
    // `vm config disk` reached disks by prefix in minimega; nanomega's disk-size would make that
    // prefix ambiguous, so the old spelling is an exact alias.
    aliases: ['disk'],
    kind: 'specs',
    spec: 'diskspec',
    scope: 'kvm',
    doc: 'KVM: disk images, PATH[,interface][,cache] each (alias disk).',
    get: (v) => `[${v.x.kvm.disks.map(diskString).join(' ')}]`,
    set: (v, a, env) => void (v.x.kvm.disks = parseDiskSpecs(a, (p) => checkPath(env, p))),
    clear: (v) => void (v.x.kvm.disks = []),
  },
  flag('kvm', 'usbUseXhci', 'usb-use-xhci', 'KVM: USB controller is XHCI (true) or EHCI. Default true.', true),
  str('kvm', 'tpmSocket', 'tpm-socket', 'KVM: socket of an emulated TPM.', '', true),
  flag('kvm', 'bidirectionalCopyPaste', 'bidirectional-copy-paste', 'KVM: copy and paste through VNC. Default false.', false),
  list('kvm', 'qemuAppend', 'qemu-append', 'KVM: extra QEMU arguments.'),
];

const ANDROID: Field[] = [
  str('android', 'sdk', 'android-sdk', 'Android: host SDK root directory.', ''),
  str('android', 'emulator', 'android-emulator', 'Android: emulator binary.', ''),
  str('android', 'adb', 'android-adb', 'Android: adb binary.', ''),
  str('android', 'avd', 'android-avd', 'Android: virtual device name.', ''),
  str('android', 'avdDir', 'android-avd-dir', 'Android: directory of AVD data.', ''),
  flag('android', 'noWindow', 'android-no-window', 'Android: no emulator window. Default true.', true),
  uint('android', 'consoleBasePort', 'android-console-base-port', 'Android: first console port to try (even, 5554-5680; 0: any).', androidPort),
  list('android', 'extraArgs', 'android-extra-args', 'Android: extra emulator arguments.'),
  flag('android', 'writableSystem', 'android-writable-system', 'Android: writable system image. Default false.', false),
];

export const OTHER_FIELDS: readonly Field[] = [...PLACEMENT, ...KVM, ...ANDROID];

/** The block a scope prints under in `vm config`. */
export const SCOPE_TITLES: Record<FieldScope, string> = {
  base: 'VM configuration:',
  kvm: 'KVM configuration:',
  container: 'Container configuration:',
  android: 'Android configuration:',
  nanomega: 'nanomega container configuration:',
};
