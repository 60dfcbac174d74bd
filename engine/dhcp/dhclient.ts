// `tap create VLAN dhcp`: Debian's dhclient (isc-dhcp-client, what minimega runs) on a host tap.
// minimega runs plain `dhclient TAP`, whose dhclient-script also replaces the host's default route
// and /etc/resolv.conf with what the lab's DHCP server says. Ours gets its own script that only
// puts the leased address on the tap: an experiment network never reroutes the host.
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { firstLine, stopDaemon, waitForPidFile } from './daemon-process.js';

export const DHCLIENT = 'dhclient';
/** Seconds dhclient tries before `tap create … dhcp` fails (dhclient.conf `timeout`; Debian's is 60). */
export const DHCP_TIMEOUT_S = 20;

const SCRIPT = 'dhclient-script';
const CONF = 'dhclient.conf';

/** Files of one tap's client, all in the tap's own directory. */
export function dhclientFiles(dir: string): { pid: string; lease: string; script: string; conf: string } {
  return { pid: join(dir, 'dhclient.pid'), lease: join(dir, 'dhclient.leases'), script: join(dir, SCRIPT), conf: join(dir, CONF) };
}

/**
 * dhclient's reasons (dhclient-script(8)): the address is added on BOUND/RENEW/REBIND/REBOOT and
 * removed when the lease ends. new_subnet_mask is dotted; `ip` takes a dotted mask after the slash.
 */
export const DHCLIENT_SCRIPT = `#!/bin/sh
# nanomega host tap: the leased address only; never the host's routes or resolv.conf.
case "$reason" in
PREINIT) ip link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
  if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
    ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
  fi
  ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
EXPIRE|FAIL|RELEASE|STOP)
  if [ -n "$old_ip_address" ]; then ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null; fi ;;
esac
exit 0
`;

export const DHCLIENT_CONF = `timeout ${DHCP_TIMEOUT_S};\nrequest subnet-mask, broadcast-address, interface-mtu;\n`;

/** argv of a client that tries once (-1), then forks into the background with its lease. */
export function dhclientArgv(dir: string, iface: string): string[] {
  const f = dhclientFiles(dir);
  return [DHCLIENT, '-1', '-q', '-cf', f.conf, '-sf', f.script, '-pf', f.pid, '-lf', f.lease, iface];
}

/**
 * Gets a lease for `iface` and leaves dhclient renewing it in the background; returns its pid.
 * Fails (E_HOST naming the interface) when no server answers within DHCP_TIMEOUT_S.
 */
export async function startDhclient(host: Host, dir: string, iface: string): Promise<number> {
  const f = dhclientFiles(dir);
  await host.mkdir(dir, { recursive: true, mode: 0o700 });
  await host.createFile(f.script, DHCLIENT_SCRIPT, 0o700);
  await host.createFile(f.conf, DHCLIENT_CONF, 0o600);
  const r = await host.run(dhclientArgv(dir, iface));
  if (r.code !== 0) {
    await stopDhclient(host, dir); // Best-effort: -1 exits without a daemon, but never leave one behind.
    const why = firstLine(r.stderr, `${DHCLIENT} exited ${r.code}`);
    throw new EngineError('E_HOST', `dhcp on ${iface}: no lease within ${DHCP_TIMEOUT_S} s (${why})`, { op: 'dhcp', path: iface });
  }
  return waitForPidFile(host, f.pid, `dhcp on ${iface}`);
}

/** Stops the tap's client if it still runs (the tap's address goes with the tap). */
export function stopDhclient(host: Host, dir: string, knownPid = 0): Promise<void> {
  return stopDaemon(host, dhclientFiles(dir).pid, knownPid);
}
