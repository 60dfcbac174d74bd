import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseCgroupMounts } from '../../engine/cgroup/layout.js';

/** Kernel or host features a test needs; a test skips with the printed reason when one is missing. */
export type Requirement =
  | 'root'
  | 'cgroup2'
  | 'overlay'
  | 'shim'
  | 'busybox'
  | 'pty'
  | 'v1-freezer'
  | 'ipv6'
  | 'tcpdump'
  | 'graphviz'
  | 'iptables'
  | 'dnsmasq'
  | 'dhclient'
  | 'debootstrap'
  | 'ssh'
  | 'etcd';

function missing(req: Requirement): string | undefined {
  switch (req) {
    case 'root':
      return process.getuid?.() === 0 ? undefined : 'needs root';
    case 'cgroup2':
      return readFileSync('/proc/self/mountinfo', 'utf8').includes(' - cgroup2 ') ? undefined : 'no cgroup2 mount';
    case 'overlay':
      return readFileSync('/proc/filesystems', 'utf8').includes('overlay') ? undefined : 'no overlayfs in /proc/filesystems';
    case 'shim':
      return existsSync(new URL('../../../shim/build/nanomega-shim', import.meta.url)) ? undefined : 'shim not built (make -C shim)';
    case 'busybox':
      return existsSync('/bin/busybox') ? undefined : 'no /bin/busybox (apt-get install busybox-static)';
    case 'tcpdump':
      return onPath('tcpdump') ? undefined : 'no tcpdump (apt-get install tcpdump)';
    case 'graphviz':
      return onPath('dot') ? undefined : 'no dot (apt-get install graphviz)';
    case 'iptables':
      return onPath('iptables') ? undefined : 'no iptables (apt-get install iptables)';
    case 'pty':
      return ptyBuilt() ? undefined : 'node-pty not built (npm install builds it: needs g++, make, python3)';
    case 'v1-freezer':
      return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')).v1.freezer ? undefined : 'no cgroup v1 freezer hierarchy';
    case 'ipv6':
      return existsSync('/proc/sys/net/ipv6') ? undefined : 'no IPv6 in the kernel';
    case 'dnsmasq':
      return existsSync('/usr/sbin/dnsmasq') ? undefined : 'no dnsmasq (apt-get install dnsmasq-base)';
    case 'dhclient':
      return existsSync('/usr/sbin/dhclient') || existsSync('/sbin/dhclient') ? undefined : 'no dhclient (apt-get install isc-dhcp-client)';
    case 'debootstrap':
      return existsSync('/usr/sbin/debootstrap') && existsSync('/usr/share/keyrings/debian-archive-keyring.gpg')
        ? undefined
        : 'no debootstrap or Debian archive keyring (apt-get install debootstrap debian-archive-keyring)';
    case 'etcd':
      return onPath('etcd') && onPath('etcdctl') && onPath('openssl')
        ? undefined
        : 'no etcd, etcdctl or openssl (apt-get install etcd-server etcd-client openssl)';
    case 'ssh':
      return existsSync('/usr/bin/ssh') && existsSync('/usr/bin/ssh-keygen') ? undefined : 'no ssh client (apt-get install openssh-client)';
  }
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => d && existsSync(`${d}/${program}`));
}

/**
 * Returns false (skip) or a skip reason for node:test's `skip` option. In CI (CI=true) a missing
 * requirement is a failure, not a skip: CI has every feature, so a skip there would hide a broken setup.
 */
export function requires(...reqs: Requirement[]): false | string {
  const reasons = reqs.map(missing).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return false;
  const why = reasons.join(', ');
  if (process.env.CI === 'true') throw new Error(`CI is missing a test requirement: ${why}`);
  console.log(`# skip: ${why}`);
  return why;
}

/** node-pty is an optional dependency built from source; the terminal tests need its binding. */
function ptyBuilt(): boolean {
  try {
    return readdirSync(new URL('../../../node_modules/node-pty/build/Release', import.meta.url)).includes('pty.node');
  } catch {
    return false;
  }
}

/** Prefix of the skip reason of a feature that is optional by design: allowed to skip in CI too. */
export const OPTIONAL = 'optional:';

/**
 * A skip reason for a feature nanomega supports but does not need (Open vSwitch): such a test skips
 * everywhere it is missing, CI included, and the runner counts it apart.
 */
export function optional(why: string): string {
  console.log(`# skip: ${OPTIONAL} ${why}`);
  return `${OPTIONAL} ${why}`;
}
