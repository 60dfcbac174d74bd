/**
 * The `vm config` fields a container does not use: KVM and Android settings and minimega's cluster
 * placement (schedule, colocate, coschedule) and OVS bonds. They are accepted, kept, printed, saved and
 * restored exactly as minimega does, so scripts written for mixed KVM and container experiments run
 * unchanged; a container launch ignores them (as minimega's container launch does).
 */

/** A disk of `vm config disks`: PATH[,interface][,cache]. */
export interface DiskSpec {
  path: string;
  iface: string;
  cache: string;
}

/** A bond of `vm config bonds`: interface indexes, mode, LACP, fallback, QinQ, name. */
export interface BondSpec {
  interfaces: number[];
  mode: string;
  lacp: string;
  fallback: boolean;
  qinq: boolean;
  name: string;
}

export interface KvmSettings {
  qemu: string;
  kernel: string;
  initrd: string;
  cdrom: string;
  /** `state` (alias `migrate`). */
  state: string;
  cpu: string;
  sockets: number;
  cores: number;
  threads: number;
  machine: string;
  serialPorts: number;
  virtioPorts: string;
  vga: string;
  append: string[];
  disks: DiskSpec[];
  usbUseXhci: boolean;
  tpmSocket: string;
  bidirectionalCopyPaste: boolean;
  qemuAppend: string[];
  qemuOverride: { match: string; replacement: string }[];
}

export interface AndroidSettings {
  sdk: string;
  emulator: string;
  adb: string;
  avd: string;
  avdDir: string;
  noWindow: boolean;
  consoleBasePort: number;
  extraArgs: string[];
  writableSystem: boolean;
}

export interface VmExtras {
  schedule: string;
  colocate: string;
  /** -1: no limit. */
  coschedule: number;
  bonds: BondSpec[];
  kvm: KvmSettings;
  android: AndroidSettings;
}

/** minimega's defaults (its generated Clear(Wildcard)). */
export function defaultExtras(): VmExtras {
  return {
    schedule: '',
    colocate: '',
    coschedule: -1,
    bonds: [],
    kvm: {
      qemu: 'kvm',
      kernel: '',
      initrd: '',
      cdrom: '',
      state: '',
      cpu: 'host',
      sockets: 0,
      cores: 0,
      threads: 0,
      machine: '',
      serialPorts: 0,
      virtioPorts: '',
      vga: 'std',
      append: [],
      disks: [],
      usbUseXhci: true,
      tpmSocket: '',
      bidirectionalCopyPaste: false,
      qemuAppend: [],
      qemuOverride: [],
    },
    android: {
      sdk: '',
      emulator: '',
      adb: '',
      avd: '',
      avdDir: '',
      noWindow: true,
      consoleBasePort: 0,
      extraArgs: [],
      writableSystem: false,
    },
  };
}

export function copyExtras(x: VmExtras): VmExtras {
  return structuredClone(x);
}
