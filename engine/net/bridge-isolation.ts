/**
 * Keeps the host off the segments of the bridges nanomega makes, as minimega's are: its Open vSwitch
 * bridge's own interface is a trunk port, so a VLAN's frames reach the host tagged and its IP stack
 * ignores them; a host joins a VLAN only through `tap create … ip`, a device of its own (taps.ts).
 *
 * A Linux bridge device is the host's interface on the segment it switches, and the host's IP stacks
 * take what arrives on it. IPv6 gives every up device a link-local address and has no reverse-path
 * check, so a container on the VLAN could reach any host service bound to `[::]` (through that address,
 * or any of the host's addresses from a link-local source, whose replies go back out the bridge).
 * IPv4 (the weak host model) takes packets for every host address on any device and answers ARP for
 * them. So each bridge nanomega made gets:
 *   - `disable_ipv6` = 1: ipv6_rcv drops everything the bridge passes up, and no address is made;
 *   - `rp_filter` = 1: the bridge holds no IPv4 address, and for such a device fib_validate_source
 *     fails whenever reverse-path filtering is on at all, so IPv4 to the host or forwarded through it
 *     and ARP requests answered by it are all dropped. The kernel uses max(all, device), so a host's
 *     own `all` setting (0, or 2 for loose) cannot turn it off.
 * Container-to-container traffic is switched below the host's IP stacks and is not touched, and a host
 * bridge that is not nanomega's is left as its owner set it up. It also spares the host's IPv6 stack
 * every multicast frame the segment floods (each container's address autoconfiguration sends several),
 * which went through its routing lookups once per container end on the bridge.
 */
import { EngineError } from '../errors.js';
import type { NetHost } from './net-host.js';

const PROC_SYS_NET = '/proc/sys/net';

/** The per-device knobs, each written only where its protocol is (a kernel booted ipv6.disable=1 has no ipv6 tree). */
function knobs(kb: string): { dir: string; file: string; value: string }[] {
  return [
    { dir: `${PROC_SYS_NET}/ipv6/conf/${kb}`, file: 'disable_ipv6', value: '1' },
    { dir: `${PROC_SYS_NET}/ipv4/conf/${kb}`, file: 'rp_filter', value: '1' },
  ];
}

/**
 * Takes the host's IP stacks off each of `kbs` (kernel bridges nanomega made), before they come up.
 * Throws E_HOST naming the bridge and the path that could not be written.
 */
export async function keepHostOff(host: NetHost, kbs: readonly string[]): Promise<void> {
  for (const kb of kbs) {
    for (const k of knobs(kb)) {
      if (!(await host.exists(k.dir))) continue;
      const path = `${k.dir}/${k.file}`;
      try {
        await host.writeFile(path, k.value);
      } catch (e) {
        throw new EngineError('E_HOST', `keep the host off bridge ${kb}: write ${path}: ${(e as Error).message}`, { op: 'isolate bridge', path });
      }
    }
  }
}
