// Helpers for the device-policy tests: start a daemon with NANOMEGA_DEVICE_FILTER set, and read
// which v1 devices rules (if any) apply to a container's init from the host.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCgroupMounts } from '../../engine/cgroup/layout.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

/** startDaemon spawns with process.env: set the variable for the spawn only, then restore it. */
export async function startDaemonWithDeviceFilter(mode: 'ebpf' | 'v1' | 'auto'): Promise<TestDaemon> {
  const old = process.env.NANOMEGA_DEVICE_FILTER;
  process.env.NANOMEGA_DEVICE_FILTER = mode;
  try {
    return await startDaemon();
  } finally {
    if (old === undefined) delete process.env.NANOMEGA_DEVICE_FILTER;
    else process.env.NANOMEGA_DEVICE_FILTER = old;
  }
}

/** devices.list of PID's v1 devices cgroup, or undefined when the host has no v1 devices hierarchy. */
export function v1DevicesList(pid: number): string | undefined {
  const mount = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')).v1.devices;
  if (!mount) return undefined;
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .find((l) => l.split(':')[1]!.split(',').includes('devices'));
  if (!line) throw new Error(`pid ${pid}: no devices line in /proc/${pid}/cgroup`);
  return readFileSync(join(mount, line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1), 'devices.list'), 'utf8').trim();
}

/** Host pid of a container's init, from vm.info (0 when it has none). */
export async function initPid(d: TestDaemon, name: string): Promise<number> {
  const info = await d.client.call('vm.info');
  return info.find((x) => x.name === name)?.pid ?? 0;
}

/** major:minor of a real host disk (containers mknod it and must fail to open it). */
export function hostDisk(): string {
  for (const name of readdirSync('/sys/block').sort()) {
    if (/^(loop|ram|zram|dm-|md|sr|nbd)/.test(name)) continue;
    return readFileSync(`/sys/block/${name}/dev`, 'utf8').trim();
  }
  return '8:0';
}
