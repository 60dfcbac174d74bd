/** What the network reads back from the kernel: a container's addresses as it sees them, which links exist, and our tagged links. */
import type { NicAddresses } from './network-types.js';
import { MARK } from './bridge-backend.js';
import { runOne, SYS_NET } from './ip.js';
import type { NetHost } from './net-host.js';

/** `ip -j addr show` → per-interface addresses, lo left out. */
export function parseAddrJson(out: string): NicAddresses[] {
  const data = JSON.parse(out || '[]') as { ifname: string; address?: string; addr_info?: { family: string; local: string }[] }[];
  return data
    .filter((d) => d.ifname !== 'lo')
    .map((d) => ({
      ifname: d.ifname,
      mac: d.address ?? '',
      ip: (d.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => a.local),
      ip6: (d.addr_info ?? []).filter((a) => a.family === 'inet6').map((a) => a.local),
    }));
}

/** The links of `names` that exist now, in order. */
export async function existingLinks(host: NetHost, names: Iterable<string>): Promise<string[]> {
  const out = [];
  for (const name of names) if (await host.exists(`${SYS_NET}/${name}`)) out.push(name);
  return out;
}

/** A link of ours, by the kind its alias tag says it is. */
export interface TaggedLink {
  name: string;
  kind: 'tap' | 'bridge' | 'host' | 'trunk';
  what: string;
}

/**
 * Links carrying engine `tag` in their alias: bridges (`bridge …`), host taps of `tap create` and their
 * bridge ports (`host NAME`, `host NAME port`, see taps.ts), trunk subinterfaces and tunnels
 * (`trunk BRIDGE IFACE`, `tunnel BRIDGE NAME`: kind 'trunk', trunks.ts), and container NICs (anything else).
 */
export async function taggedLinks(host: NetHost, tag: string): Promise<TaggedLink[]> {
  const out = await runOne(host, ['ip', '-j', 'link', 'show'], 'list links', 'ip link');
  const prefix = `${MARK}:${tag} `;
  const links = JSON.parse(out || '[]') as { ifname: string; ifalias?: string }[];
  return links
    .filter((l) => l.ifalias?.startsWith(prefix))
    .map((l) => {
      const what = l.ifalias!.slice(prefix.length);
      const kind = what.startsWith('bridge')
        ? 'bridge'
        : what.startsWith('host ')
          ? 'host'
          : what.startsWith('trunk ') || what.startsWith('tunnel ')
            ? 'trunk'
            : 'tap';
      return { name: l.ifname, kind, what };
    });
}
