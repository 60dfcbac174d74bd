/**
 * `nanomega doctor [--fix]`: the kernel limits that thousands of containers per host run into
 * (security-and-reliability.md, "at scale"), and the host features the engine needs. `--fix` raises a
 * sysctl that is below what we want; it never lowers one.
 */
import { join } from 'node:path';
import { parseCgroupMounts } from '../cgroup/layout.js';
import type { Host } from '../host/host.js';

/** The scale the wanted values are sized for: containers on one host. */
export const TARGET_CONTAINERS = 4096;

export interface SysctlCheck {
  /** sysctl name, also its /proc/sys path with dots as slashes. */
  name: string;
  want: number;
  why: string;
}

/** Sysctls to raise; each `why` says what breaks when it is too low. */
export const SYSCTLS: readonly SysctlCheck[] = [
  { name: 'kernel.pty.max', want: 2 * TARGET_CONTAINERS, why: 'one pty per container console; launches fail with ENOSPC past it' },
  { name: 'kernel.pid_max', want: 4_194_304, why: 'every container init, shell and monitor is a host pid' },
  { name: 'fs.inotify.max_user_instances', want: 8192, why: 'per-uid: all root containers running udev/systemd share it' },
  { name: 'fs.inotify.max_user_watches', want: 524_288, why: 'per-uid watches of every container' },
  { name: 'net.ipv4.neigh.default.gc_thresh1', want: 4096, why: 'ARP entries of a host that talks to many containers' },
  { name: 'net.ipv4.neigh.default.gc_thresh2', want: 8192, why: 'soft ARP table limit (neighbour table overflow)' },
  { name: 'net.ipv4.neigh.default.gc_thresh3', want: 16_384, why: 'hard ARP table limit' },
  { name: 'net.ipv6.neigh.default.gc_thresh1', want: 4096, why: 'IPv6 neighbour entries' },
  { name: 'net.ipv6.neigh.default.gc_thresh2', want: 8192, why: 'soft IPv6 neighbour limit' },
  { name: 'net.ipv6.neigh.default.gc_thresh3', want: 16_384, why: 'hard IPv6 neighbour limit' },
  { name: 'user.max_net_namespaces', want: 2 * TARGET_CONTAINERS, why: 'one network namespace per container' },
  { name: 'user.max_mnt_namespaces', want: 2 * TARGET_CONTAINERS, why: 'one mount namespace per container' },
  { name: 'user.max_pid_namespaces', want: 2 * TARGET_CONTAINERS, why: 'one pid namespace per container' },
  { name: 'fs.file-max', want: 1_048_576, why: 'sockets, ptys and cgroup files of every container' },
];

/** Open files the daemon needs per container (control socket, console relays, stat files) plus slack. */
const FDS_PER_CONTAINER = 6;

export type Status = 'ok' | 'low' | 'fixed' | 'missing' | 'info' | 'fail';

export interface DoctorRow {
  check: string;
  value: string;
  want: string;
  status: Status;
  note: string;
}

export function sysctlPath(name: string): string {
  return join('/proc/sys', ...name.split('.'));
}

async function readNumber(host: Host, path: string): Promise<number | undefined> {
  const text = await host.readFile(path).catch(() => undefined);
  const n = text === undefined ? NaN : Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : undefined;
}

async function sysctlRow(host: Host, c: SysctlCheck, fix: boolean): Promise<DoctorRow> {
  const path = sysctlPath(c.name);
  const value = await readNumber(host, path);
  const row: DoctorRow = { check: c.name, value: value === undefined ? '-' : String(value), want: `>= ${c.want}`, status: 'ok', note: c.why };
  if (value === undefined) return { ...row, status: 'missing', note: `${path} not present on this kernel` };
  if (value >= c.want) return row;
  if (!fix) return { ...row, status: 'low' };
  try {
    await host.writeFile(path, String(c.want));
    return { ...row, value: `${value} -> ${c.want}`, status: 'fixed' };
  } catch (e) {
    return { ...row, status: 'fail', note: (e as Error).message };
  }
}

/** The daemon's own soft limit on open files (it cannot raise it itself: run it with LimitNOFILE). */
async function nofileRow(host: Host): Promise<DoctorRow> {
  const limits = await host.readFile('/proc/self/limits').catch(() => '');
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  const soft = m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : NaN;
  const want = FDS_PER_CONTAINER * TARGET_CONTAINERS;
  return {
    check: 'RLIMIT_NOFILE (soft)',
    value: m ? m[1]! : '-',
    want: `>= ${want}`,
    status: soft >= want ? 'ok' : 'low',
    note: 'start the daemon with a higher limit (the systemd unit sets LimitNOFILE=1048576; or ulimit -n)',
  };
}

async function featureRows(host: Host): Promise<DoctorRow[]> {
  const rows: DoctorRow[] = [];
  const row = (check: string, ok: boolean, value: string, note: string): DoctorRow => ({ check, value, want: 'present', status: ok ? 'ok' : 'fail', note });
  const filesystems = await host.readFile('/proc/filesystems').catch(() => '');
  rows.push(
    row(
      'overlayfs',
      /\toverlay$/m.test(filesystems),
      /\toverlay$/m.test(filesystems) ? 'yes' : 'no',
      'snapshot mode (the default) mounts an overlay per container',
    ),
  );
  const mounts = parseCgroupMounts(await host.readFile('/proc/self/mountinfo').catch(() => ''));
  const v1 = Object.keys(mounts.v1).sort().join(',');
  const layout = mounts.unified ? (v1 ? `hybrid (v1: ${v1}; v2 at ${mounts.unified})` : `v2 at ${mounts.unified}`) : v1 ? `v1: ${v1}` : 'none';
  rows.push(row('cgroups', layout !== 'none', layout, 'each controller is driven where it is mounted'));
  if (mounts.unified) {
    const release = (await host.readFile('/proc/sys/kernel/osrelease').catch(() => '')).trim();
    const [major = 0, minor = 0] = release.split(/[.-]/).map(Number);
    const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
    // cgroup.freeze arrived in Linux 5.2, cgroup.kill in 5.14 (both core files of every v2 cgroup).
    rows.push({
      check: 'cgroup v2 freeze / kill',
      value: `${release}: freeze ${atLeast(5, 2) ? 'yes' : 'no'}, kill ${atLeast(5, 14) ? 'yes' : 'no'}`,
      want: 'Linux >= 5.14',
      status: atLeast(5, 14) ? 'ok' : 'info',
      note: 'without them: the v1 freezer, and SIGKILL of each pid of a frozen cgroup',
    });
  }
  const lastCap = await readNumber(host, '/proc/sys/kernel/cap_last_cap');
  rows.push({
    check: 'cap_last_cap',
    value: lastCap === undefined ? '-' : String(lastCap),
    want: '-',
    status: 'info',
    note: "every capability above Docker's 14 is dropped up to this",
  });
  const ports = 1024;
  rows.push({
    check: 'ports per Linux bridge',
    value: String(ports),
    want: '-',
    status: 'info',
    note: 'the kernel limit; NICs beyond it on one bridge are refused with a message',
  });
  return rows;
}

/** The host firewall tables br_netfilter can pass bridged frames to, each switched by its own sysctl. */
export const BRIDGE_NETFILTER_TABLES = ['iptables', 'ip6tables', 'arptables'] as const;

/** The sysctl that sends bridged frames through `table`. */
export function bridgeNetfilterSysctl(table: (typeof BRIDGE_NETFILTER_TABLES)[number]): string {
  return `net.bridge.bridge-nf-call-${table}`;
}

/** The tables whose FORWARD policy is read (each named as its tool and its bridge-nf-call sysctl); ARP filtering is left aside. */
const FORWARD_TABLES: ReadonlySet<string> = new Set(['iptables', 'ip6tables']);

/**
 * What the filter table of `tool` does with bridged frames (`TOOL -S` lists every chain): the FORWARD
 * policy, and whether a rule accepts bridged frames before it (`-m physdev --physdev-is-bridged -j
 * ACCEPT` in FORWARD, or in DOCKER-USER, where Docker wants such rules). Undefined without the tool.
 */
async function forwardVerdict(host: Host, tool: string): Promise<{ policy: string; bridgedAccepted: boolean } | undefined> {
  const r = await host.run([tool, '-S']).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  const policy = /^-P FORWARD (\S+)/m.exec(r.stdout)?.[1];
  if (policy === undefined) return undefined;
  return { policy, bridgedAccepted: /^-A (FORWARD|DOCKER-USER) .*--physdev-is-bridged.* -j ACCEPT\s*$/m.test(r.stdout) };
}

/**
 * Whether frames bridged between containers pass through the host's iptables, ip6tables and
 * arptables (br_netfilter, which Docker and Kubernetes load). A bridge's own nf_call_* option can only
 * add to these host-wide sysctls, never opt out, so the engine cannot turn it off for its bridges;
 * and lowering them would break what loaded the module. Reported, never fixed: a fail when a FORWARD
 * policy drops (Docker sets DROP) and no rule accepts bridged frames, so traffic between containers is lost.
 */
async function bridgeNetfilterRow(host: Host): Promise<DoctorRow | undefined> {
  const on: string[] = [];
  for (const table of BRIDGE_NETFILTER_TABLES) {
    const value = await readNumber(host, sysctlPath(bridgeNetfilterSysctl(table)));
    if (value === undefined) return undefined; // no br_netfilter on this kernel: frames stay on the bridge
    if (value !== 0) on.push(table);
  }
  const row: DoctorRow = {
    check: 'bridge netfilter',
    value: on.length ? `on: ${on.join(', ')}` : 'off',
    want: 'off',
    status: 'ok',
    note: 'frames between containers stay on the bridge',
  };
  if (on.length === 0) return row;
  const dropping: string[] = [];
  for (const tool of on.filter((t) => FORWARD_TABLES.has(t))) {
    const verdict = await forwardVerdict(host, tool);
    if (verdict && verdict.policy !== 'ACCEPT' && !verdict.bridgedAccepted) dropping.push(`${tool} FORWARD policy ${verdict.policy}`);
  }
  const off = `sysctl -w ${bridgeNetfilterSysctl('iptables')}=0 and the others, if nothing on this host needs them`;
  if (dropping.length) {
    return {
      ...row,
      value: `${row.value}; ${dropping.join(', ')}`,
      status: 'fail',
      note: `traffic between containers on a bridge is dropped unless a FORWARD rule accepts it: iptables -I FORWARD -m physdev --physdev-is-bridged -j ACCEPT (and ip6tables), or ${off}`,
    };
  }
  return {
    ...row,
    status: 'info',
    note: `traffic between containers passes the host's FORWARD chains (a DROP policy, as Docker sets, would drop it), and every flooded frame pays a netfilter pass per port (${off})`,
  };
}

/** Run every check; with `fix`, raise low sysctls. */
export async function doctor(host: Host, opts: { fix?: boolean } = {}): Promise<DoctorRow[]> {
  const rows = await featureRows(host);
  for (const c of SYSCTLS) rows.push(await sysctlRow(host, c, opts.fix ?? false));
  rows.push(await nofileRow(host));
  const netfilter = await bridgeNetfilterRow(host);
  if (netfilter) rows.push(netfilter);
  return rows;
}

/** Aligned text table, minicli's ` | ` style. */
export function renderDoctor(rows: readonly DoctorRow[]): string {
  const table = [['check', 'value', 'want', 'status', 'note'], ...rows.map((r) => [r.check, r.value, r.want, r.status, r.note])];
  const widths = table[0]!.map((_, i) => Math.max(5, ...table.map((r) => r[i]!.length)));
  return table
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join(' | ')
        .trimEnd(),
    )
    .join('\n');
}
