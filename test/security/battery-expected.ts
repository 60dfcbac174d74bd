// The checks test/security/battery.sh must print PASS for, per run: a battery that silently skips a
// check (a branch not taken, a probe that died, a line renamed) fails the suite instead of passing on
// "enough PASS lines". Names are as the battery prints them; an entry with `|` accepts either name
// (a branch the host decides), and a trailing " (absent…)" is dropped before comparing (a masked
// path the kernel does not have is as good as masked).
import { existsSync, readdirSync } from 'node:fs';

export interface BatteryRun {
  mode: 'default' | 'relaxed';
  /** As the container's init, or entered beside it with vm exec. */
  via: 'init' | 'exec';
  /** The container's disk-size in bytes, or undefined for snapshot false (no disk-fill check). */
  diskSize?: number;
  fifos?: number;
}

/** Every masked path of moby's default list (daemon/pkg/oci/defaults.go), thermal_throttle per CPU. */
export const DOCKER_MASKED = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

function thermal(): string[] {
  const cpu = '/sys/devices/system/cpu';
  return readdirSync(cpu)
    .filter((n) => /^cpu[0-9]+$/.test(n) && existsSync(`${cpu}/${n}/thermal_throttle`))
    .map((n) => `${cpu}/${n}/thermal_throttle`);
}

const SYSCALLS = [
  ...['user', 'mnt', 'net', 'pid', 'uts', 'ipc', 'cgroup'].flatMap((ns) => [`unshare-${ns}`, `clone-${ns}`]),
  'unshare-Urm',
  'setns',
  'clone3-enosys',
  'fork-works',
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'perf_event_open',
  'open_by_handle_at',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'mount-tmpfs',
  'mount-proc',
  'mount-cgroup',
  'mount-cgroup2',
  'mount-bind',
  'umount-proc-sys',
  'pivot_root',
  'fsopen',
  'open_tree',
  'open_tree_attr',
  'syscall-above-known-enosys',
  'syscall-far-above-known-enosys',
  'clock_settime',
  'settimeofday',
  'adjtimex',
  'clock_adjtime',
  'syslog',
  'acct',
  'quotactl',
  'userfaultfd',
  'io_uring_setup',
  'iopl',
  'ioperm',
  'lookup_dcookie',
  'personality-addr-no-randomize',
  'personality-query-allowed',
  'personality-linux-allowed',
  'socket-af-vsock',
  'socket-af-vsock-dgram',
  'socket-af-vsock-i386',
];

/** Host devices the container may mknod but never open (read or write). */
const DENIED_DEVICES = ['disk', 'mem', 'kmem', 'port', 'kmsg', 'tty0', 'tty1', 'console-host'];

export function expectedChecks(r: BatteryRun): string[] {
  const out = [
    'proc-1-fd-only-0-1-2',
    'cap-bounding',
    'cap-effective',
    'cap-permitted',
    'cap-inheritable-empty',
    'cap-ambient-empty',
    ...(r.mode === 'relaxed' ? ['nnp-off', 'seccomp-off'] : ['no-new-privs', 'seccomp-filter']),
    'proc-only-own-processes',
    r.via === 'exec' ? 'exec-beside-init' : 'proc-1-is-our-init',
    'sys-class-net-own-only',
    'hostname-x-eperm|hostname-own-uts',
    'proc-self-cgroup-root',
    'mount-proc',
    'mount-tmpfs',
    'mount-cgroup',
    'umount-proc-sys',
    'nsenter-host-net',
    ...(r.mode === 'relaxed' ? [] : SYSCALLS),
    ...(existsSync('/proc/sysrq-trigger') ? ['sysrq-trigger-h-erofs', 'erofs /proc/sysrq-trigger'] : ['sysrq-trigger']),
    'proc-sys-erofs',
    'erofs /proc/sys/vm/overcommit_memory',
    'erofs /sys/class/net/lo/mtu',
    ...(existsSync('/proc/irq/default_smp_affinity') ? ['erofs /proc/irq/default_smp_affinity'] : []),
    'sys-create-erofs',
    ...[...DOCKER_MASKED, ...thermal()].map((p) => `masked ${p}`),
    ...DENIED_DEVICES.flatMap((d) => [`open-${d}-eperm`, `open-${d}-write-eperm`]),
    'open-null-allowed',
    'dev-console-is-own-pty',
    ...(r.mode === 'relaxed' ? ['dev-net-tun-present', 'dev-net-tun-opens'] : ['dev-net-tun-absent', 'open-tun-eperm', 'open-tun-write-eperm']),
    'dmesg',
    'insmod',
    'date-s',
    'net-admin-ip-addr-add',
    'net-admin-ip-route-add',
    'net-admin-sysctl-ip-forward',
    'net-admin-host-link-unreachable',
    'ulimit-n-above-hard',
    'rlimit-nofile-above-hard',
    'shim-not-reachable',
    'no-shim-on-disk',
    'fork-bomb-5000-stops-at-pids-max',
    'oom-kills-allocator-137',
    'dev-shm-capped-64m',
    ...(r.diskSize !== undefined ? ['disk-fill-stops-at-disk-size'] : []),
    ...Array.from({ length: r.fifos ?? 0 }, (_, i) => `fifo /dev/fifos/fifo${i} is a fifo`),
  ];
  return [...new Set(out)];
}

/** Expected checks that printed no PASS line (empty when the battery ran everything it should). */
export function missingChecks(lines: readonly string[], r: BatteryRun): string[] {
  const passed = new Set(lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5).replace(/ \(absent.*\)$/, '')));
  return expectedChecks(r).filter((e) => !e.split('|').some((name) => passed.has(name)));
}
