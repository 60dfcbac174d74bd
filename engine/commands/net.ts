import type { NicInfo, VmResult } from '../api/types.js';
import { serialize, type Container, type EngineContext } from '../context.js';
import { DEFAULT_BRIDGE } from '../net/netspec.js';
import { apply, namespaceOf } from './targets.js';
import { EngineError } from '../errors.js';
import type { NicAddresses } from '../net/network-types.js';
import { isAlive } from '../state/lifecycle.js';
import { checkpoint } from '../fault.js';
import { parseNetSpec } from '../config/netspec.js';

/** The VLAN text the network records for a NIC taken off its bridge. */
/** The vlan a NIC shows while it is off every bridge (vm net disconnect). */
export const DISCONNECTED = 'disconnected';

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

/** minimega's error for a NIC position a VM does not have ("VM" for live ones, "container" otherwise). */
function checkIndex(c: Container, index: number, count: number, what: 'VM' | 'container'): void {
  if (index < 0 || index >= count) {
    throw new EngineError('E_CONFIG', `no network ${index}, ${what} only has ${count} networks`, { field: 'index', value: index });
  }
}

/** A VLAN alias's id without touching the network (config-only changes of QUIT/ERROR containers). */
async function vlanId(ctx: EngineContext, vlan: string, ns: string): Promise<number> {
  await ctx.network.backend();
  return ctx.network.vlans.resolve(vlan, ns);
}

type RecordedNicChange = (c: Container, old: NicInfo | undefined) => Promise<void> | void;

/**
 * A change to NIC `index` of each target container, saved: `live` for containers with veths (BUILDING,
 * RUNNING, PAUSED), which returns the NIC as the network now has it (the addresses the container shows
 * are kept), `recorded` for QUIT and ERROR ones, whose change waits in the record for the next start.
 * Both get the NIC as it was (undefined when the container never had it).
 */
function changeNic(
  ctx: EngineContext,
  target: string,
  index: number,
  ns: string | undefined,
  change: { live: (c: Container, old: NicInfo | undefined) => Promise<NicInfo>; recorded: RecordedNicChange },
): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    (c) =>
      serialize(c, async () => {
        const old = c.rec.nics[index];
        if (isAlive(c.rec.state)) {
          checkIndex(c, index, c.rec.nics.length, 'VM');
          const nic = await change.live(c, old);
          c.rec.nics[index] = { ...nic, ip: old!.ip, ip6: old!.ip6 };
        } else {
          checkIndex(c, index, c.rec.config.net.length, 'container');
          await change.recorded(c, old);
        }
        await ctx.save(c);
        return true;
      }),
    ns,
  );
}

/**
 * `vm net connect TARGET INDEX VLAN [BRIDGE]` over any target. Live containers, BUILDING ones included,
 * have the port moved; QUIT and ERROR ones (no veths) only have their config changed, used when they are
 * started again, as minimega does. Without a bridge the NIC keeps its bridge, or gets the default one
 * when it is disconnected.
 */
export function netConnect(ctx: EngineContext, target: string, index: number, vlan: string, bridge?: string, ns?: string): Promise<VmResult[]> {
  const bridgeFor = (old: NicInfo | undefined) => bridge || (old?.vlan === DISCONNECTED ? DEFAULT_BRIDGE : undefined);
  return changeNic(ctx, target, index, ns, {
    live: async (c, old) => {
      const nic = await ctx.network.connect(c.rec.id, index, vlan, bridgeFor(old), namespaceOf(c));
      checkpoint('net.connect.moved');
      c.rec.config.net[index] = { ...c.rec.config.net[index]!, vlan, bridge: nic.bridge };
      return nic;
    },
    recorded: async (c, old) => {
      const spec = c.rec.config.net[index]!;
      const newBridge = bridgeFor(old) ?? (spec.bridge || old?.bridge || DEFAULT_BRIDGE);
      const id = await vlanId(ctx, vlan, namespaceOf(c));
      c.rec.config.net[index] = { ...spec, vlan, bridge: newBridge };
      if (old) c.rec.nics[index] = { ...old, vlan, vlanId: id, bridge: newBridge };
    },
  });
}

/**
 * `vm net add TARGET NETSPEC...`: NICs added after the ones each container has. Live containers
 * (BUILDING, RUNNING, PAUSED) get them at once (veth<N> up, host end on its bridge); QUIT and ERROR
 * ones only in their configuration, made by the next `vm start`. Either way the configuration keeps
 * them, as minimega writes a KVM's added NIC into its config (it adds none to containers).
 */
export function netAdd(ctx: EngineContext, target: string, netspecs: readonly string[], ns?: string): Promise<VmResult[]> {
  const specs = netspecs.map(parseNetSpec);
  return apply(
    ctx,
    target,
    (c) =>
      serialize(c, async () => {
        if (specs.length === 0) return true;
        if (isAlive(c.rec.state)) {
          const nics = await ctx.network.addNics(c.rec.id, c.rec.initPid, specs, namespaceOf(c));
          c.rec.nics = [...c.rec.nics, ...nics];
          c.addressesAt = 0;
        } else {
          await ctx.network.allocateVlans(
            specs.map((s) => s.vlan),
            namespaceOf(c),
          );
        }
        // As at launch, generated MACs stay out of the config (a relaunch keeps them from rec.nics).
        c.rec.config.net = [...c.rec.config.net, ...specs];
        await ctx.save(c);
        return true;
      }),
    ns,
  );
}

/** `vm net disconnect TARGET INDEX`: live containers leave the bridge; others only record it. */
export function netDisconnect(ctx: EngineContext, target: string, index: number, ns?: string): Promise<VmResult[]> {
  return changeNic(ctx, target, index, ns, {
    live: (c) => ctx.network.disconnect(c.rec.id, index),
    recorded: (c, old) => {
      if (old) c.rec.nics[index] = { ...old, vlan: DISCONNECTED, vlanId: 0 };
    },
  });
}
