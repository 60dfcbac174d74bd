import type { NicInfo } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { NicAddresses } from '../net/network.js';
import { isAlive } from '../state/lifecycle.js';

/** How long cached in-container addresses stay fresh for `vm info`. */
const ADDRESS_TTL_MS = 2_000;
/** nsenter processes at once, for containers without a monitor connection. */
const NSENTER_CONCURRENCY = 16;

/**
 * Fill in ip/ip6 from the container's own network namespace (cached briefly). The monitor answers
 * over the control connection (ADDRS: rtnetlink from inside the namespace, no process), all
 * containers at once; only a container without a connection (or whose monitor failed to answer:
 * one from before ADDRS) costs an nsenter, 16 at a time.
 */
export async function refreshAddresses(ctx: EngineContext, list: Container[]): Promise<void> {
  const now = Date.now();
  const stale = list.filter((c) => isAlive(c.rec.state) && c.rec.nics.length > 0 && c.rec.initPid > 0 && (c.addressesAt ?? 0) + ADDRESS_TTL_MS < now);
  // A NIC without an IPv4 address of its own shows the lease our dnsmasq gave its MAC, if any.
  const leases = stale.length > 0 ? await ctx.dnsmasq.leases() : new Map<string, string>();
  const apply = (c: Container, addrs: NicAddresses[] | undefined) => {
    if (!addrs) return;
    c.addressesAt = now;
    c.rec.nics = c.rec.nics.map((n, index): NicInfo => {
      const a = addrs.find((x) => x.ifname === `veth${index}`);
      return { ...n, ip: a?.ip[0] ?? leases.get(n.mac.toLowerCase()) ?? '', ip6: a?.ip6.find((x) => !x.startsWith('fe80')) ?? a?.ip6[0] ?? '' };
    });
  };
  const viaNsenter = stale.filter((c) => !c.control);
  await Promise.all(
    stale
      .filter((c) => c.control)
      .map((c) =>
        c.control!.addresses().then(
          (addrs) => apply(c, addrs),
          () => void viaNsenter.push(c),
        ),
      ),
  );
  for (let i = 0; i < viaNsenter.length; i += NSENTER_CONCURRENCY) {
    await Promise.all(
      viaNsenter.slice(i, i + NSENTER_CONCURRENCY).map(async (c) => apply(c, await ctx.network.readAddresses(c.rec.initPid).catch(() => undefined))),
    );
  }
}

function one(ctx: EngineContext, target: string): Container {
  const c = [...ctx.containers.values()].find((x) => x.rec.name === target || String(x.rec.id) === target || x.rec.uuid === target);
  if (!c) throw new EngineError('E_NOT_FOUND', `vm not found: ${target}`, { target });
  if (!isAlive(c.rec.state)) throw new EngineError('E_STATE', `VM state error: ${target}`, { target });
  return c;
}

function nicIndex(c: Container, index: number): void {
  if (index < 0 || index >= c.rec.nics.length) {
    throw new EngineError('E_CONFIG', `no such interface ${index} on vm ${c.rec.name} (it has ${c.rec.nics.length})`, { field: 'index', value: index });
  }
}

/** `vm net connect VM INDEX VLAN [BRIDGE]`: works on BUILDING containers too (the port is moved). */
export async function netConnect(ctx: EngineContext, target: string, index: number, vlan: string, bridge?: string): Promise<void> {
  const c = one(ctx, target);
  nicIndex(c, index);
  const nic = await ctx.network.connect(c.rec.id, index, vlan, bridge);
  c.rec.nics[index] = { ...nic, ip: c.rec.nics[index]!.ip, ip6: c.rec.nics[index]!.ip6 };
  c.rec.config.net[index] = { ...c.rec.config.net[index]!, vlan, bridge: nic.bridge };
  await ctx.save(c);
}

export async function netDisconnect(ctx: EngineContext, target: string, index: number): Promise<void> {
  const c = one(ctx, target);
  nicIndex(c, index);
  const nic = await ctx.network.disconnect(c.rec.id, index);
  c.rec.nics[index] = { ...nic, ip: c.rec.nics[index]!.ip, ip6: c.rec.nics[index]!.ip6 };
  await ctx.save(c);
}
