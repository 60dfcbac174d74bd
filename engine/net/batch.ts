// Pure text generation for the `ip -batch` sessions of an attach; no effects here.

/** Host end of one NIC: created with its peer directly inside the container's netns (by pid). */
export function hostNicLines(tap: string, ifname: string, mac: string, pid: number, mark: string, mtu?: number): string[] {
  const m = mtu === undefined ? '' : ` mtu ${mtu}`;
  return [
    // The peer is created in the target netns, so `veth0` only has to be unique inside the container.
    `link add ${tap}${m} type veth peer name ${ifname}${m} address ${mac} netns ${pid}`,
    // IFLA_IFALIAS is refused in RTM_NEWLINK (EOPNOTSUPP), so the mark is a separate set.
    `link set ${tap} alias "${mark}"`,
    portAddrgenLine(tap),
  ];
}

/**
 * No IPv6 link-local address on a bridge port, set before it comes up (RTM_NEWLINK refuses the inet6
 * attribute while the device has no inet6 state yet, EAFNOSUPPORT). The bridge takes every frame a
 * port receives, so an address there serves nothing; made anyway, its autoconfiguration would send
 * duplicate-address probes, MLD reports and router solicitations from a host address into the
 * container, and add host routes per port.
 */
export function portAddrgenLine(port: string): string {
  return `link set ${port} addrgenmode none`;
}

/** Container side of an attach: lo and every NIC up, configured addresses assigned. */
export function containerLines(nics: readonly { ifname: string; ip: string }[]): string[] {
  const lines = ['link set lo up'];
  for (const n of nics) {
    lines.push(`link set ${n.ifname} up`);
    if (n.ip !== '') lines.push(`addr add ${n.ip} dev ${n.ifname}`);
  }
  return lines;
}

/** `link del` for host ends; deleting one end of a veth deletes its peer. */
export function deleteLines(taps: readonly string[]): string[] {
  return taps.map((t) => `link del ${t}`);
}
