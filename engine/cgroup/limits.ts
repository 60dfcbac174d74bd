/** The cgroup files that carry a container's limits, per hierarchy version (pure: no effects). */

/** CFS period: 100 ms, the kernel default; the quota is vcpus × period. */
export const CPU_PERIOD_US = 100_000;

export interface Limits {
  memoryBytes: number;
  vcpus: number;
  pids: number;
}

export type FileWrite = readonly [file: string, data: string];

export function v2MemoryWrites(l: Limits): FileWrite[] {
  return [['memory.max', String(l.memoryBytes)]];
}
export function v2CpuWrites(l: Limits): FileWrite[] {
  return [['cpu.max', `${Math.round(l.vcpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`]];
}
export function v2PidsWrites(l: Limits): FileWrite[] {
  return [['pids.max', String(l.pids)]];
}

export function v1MemoryWrites(l: Limits): FileWrite[] {
  return [['memory.limit_in_bytes', String(l.memoryBytes)]];
}
/** The period a new v1 cpu cgroup starts with (the kernel's default, not inherited from the parent). */
const V1_DEFAULT_PERIOD_US = 100_000;

export function v1CpuWrites(l: Limits): FileWrite[] {
  const quota: FileWrite = ['cpu.cfs_quota_us', String(Math.round(l.vcpus * CPU_PERIOD_US))];
  // Period before quota: the kernel checks quota against the current period.
  return CPU_PERIOD_US === V1_DEFAULT_PERIOD_US ? [quota] : [['cpu.cfs_period_us', String(CPU_PERIOD_US)], quota];
}
export function v1PidsWrites(l: Limits): FileWrite[] {
  return [['pids.max', String(l.pids)]];
}

/**
 * Docker's default device allowlist (v1 devices cgroup) less the console: mknod of any node is
 * allowed, but only these may be opened. Never the host's ttys (4:x), disks, /dev/mem, /dev/kmsg
 * (1:11) or the host's system console (5:1, which the kernel maps to its console device whatever
 * namespace opens it); the container's /dev/console is a bind of its own pty slave (136:N).
 */
export const DEVICE_ALLOW: readonly string[] = [
  'c *:* m',
  'b *:* m',
  'c 1:3 rwm', // null
  'c 1:5 rwm', // zero
  'c 1:7 rwm', // full
  'c 1:8 rwm', // random
  'c 1:9 rwm', // urandom
  'c 5:0 rwm', // tty
  'c 5:2 rwm', // ptmx
  'c 136:* rwm', // pts
];
/** /dev/net/tun, allowed only when a container asks for it. */
export const DEVICE_TUN = 'c 10:200 rwm';

export function v1DeviceWrites(tun: boolean): FileWrite[] {
  const allow = tun ? [...DEVICE_ALLOW, DEVICE_TUN] : DEVICE_ALLOW;
  return [['devices.deny', 'a'], ...allow.map((rule): FileWrite => ['devices.allow', rule])];
}

/**
 * The engine's v1 devices parent: the container allowlist and tun. A v1 devices cgroup copies its
 * parent's behaviour and exceptions when it is made (devcgroup_online), and can never be given more
 * than its parent allows; so a container made under this parent starts with exactly the allowlist
 * plus tun, and one that did not ask for tun only has tun denied (one write instead of eleven).
 */
export function v1DeviceParentWrites(): FileWrite[] {
  return v1DeviceWrites(true);
}

/** The rules the parent's devices.list must show for its children to inherit the policy. */
export const DEVICE_PARENT_LIST: readonly string[] = [...DEVICE_ALLOW, DEVICE_TUN];

/** A container's writes under a parent that holds DEVICE_PARENT_LIST. */
export function v1DeviceInheritedWrites(tun: boolean): FileWrite[] {
  return tun ? [] : [['devices.deny', DEVICE_TUN]];
}

/** devices.list holds exactly `want` (order aside); `a *:* rwm` is the allow-all a fresh cgroup shows. */
export function sameDeviceList(list: string, want: readonly string[]): boolean {
  const have = list
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return have.length === want.length && want.every((r) => have.includes(r));
}
