/** The calls of `bridge`: list the bridges, trunk them to host interfaces, set them up, destroy them. */
import type { Calls } from '../api/contract.js';
import type { BridgeInfo } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { SYS_NET } from '../net/ip.js';
import { checkIfname } from '../net/netspec.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';

type BridgeCall = 'bridge.list' | 'bridge.trunk' | 'bridge.notrunk' | 'bridge.tunnel' | 'bridge.notunnel' | 'bridge.config' | 'bridge.destroy';

export type BridgeHandlers = { [K in BridgeCall]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

export function bridgeHandlers(ctx: EngineContext): BridgeHandlers {
  const net = ctx.network;
  return {
    'bridge.list': (ns) => bridgeList(ctx, ns ?? DEFAULT_NAMESPACE),
    'bridge.trunk': async (bridge, iface) => {
      await net.backend();
      await net.exclusive(async (core) => {
        // minimega's getBridge makes the bridge before anything else: it is listed even if the trunk fails.
        await ctx.trunks.name(bridge);
        await ctx.trunks.add(core, net, bridge, iface);
      });
    },
    'bridge.notrunk': async (bridge, iface) => {
      await net.backend();
      await net.exclusive((core) => ctx.trunks.remove(core, net, bridge, iface));
    },
    'bridge.tunnel': async (kind, bridge, remote, key) => {
      await net.backend();
      await net.exclusive(async (core) => {
        await ctx.trunks.name(bridge);
        await ctx.trunks.addTunnel(core, net, kind, bridge, remote, key ?? undefined);
      });
    },
    'bridge.notunnel': async (bridge, iface) => {
      await net.backend();
      await net.exclusive((core) => ctx.trunks.removeTunnel(core, net, bridge, iface));
    },
    'bridge.config': async (bridge, setting) => {
      await net.backend();
      await net.exclusive((core) => ctx.trunks.config(core, bridge, setting));
    },
    'bridge.destroy': (bridge) => bridgeDestroy(ctx, bridge),
  };
}

/** Every bridge the engine manages: made for ports, named by `bridge`, or holding ports of ours. */
async function bridgeList(ctx: EngineContext, ns: string): Promise<BridgeInfo[]> {
  const net = ctx.network;
  await net.backend();
  const owned = await net.ownedByLogical();
  const vlans = new Map<string, Set<number>>();
  const add = (bridge: string, vlan: number) => vlans.set(bridge, (vlans.get(bridge) ?? new Set()).add(vlan));
  for (const p of await net.bridgePorts()) add(p.bridge, p.vlanId);
  for (const t of await ctx.taps.list()) add(t.bridge, t.vlanId);
  const records = ctx.trunks.records();
  const names = new Set([...owned.keys(), ...vlans.keys(), ...records.keys()]);
  const out: BridgeInfo[] = [];
  for (const name of [...names].sort()) {
    const mine = owned.get(name) ?? [];
    const preexisting = !mine.includes(name) && (await ctx.host.exists(`${SYS_NET}/${name}/bridge`));
    const rec = records.get(name);
    out.push({
      name,
      preexisting,
      vlans: [...(vlans.get(name) ?? [])].map((v) => net.vlans.describe(v, ns)).sort(),
      trunks: rec?.trunks ?? [],
      tunnels: (rec?.tunnels ?? []).map((t) => t.name).sort(),
      bonds: [],
      config: rec?.config ?? {},
    });
  }
  return out;
}

/** `bridge destroy`: refused while container NICs or host taps use it; its trunks, record and kernel bridges go. */
async function bridgeDestroy(ctx: EngineContext, bridge: string): Promise<void> {
  checkIfname(bridge, 'bridge');
  const net = ctx.network;
  await net.backend();
  const listed = await bridgeList(ctx, DEFAULT_NAMESPACE);
  if (!listed.some((b) => b.name === bridge)) throw new EngineError('E_NOT_FOUND', `bridge not found: ${bridge}`, { op: 'bridge destroy', bridge });
  const nics = (await net.bridgePorts()).filter((p) => p.bridge === bridge).length;
  const taps = (await ctx.taps.list()).filter((t) => t.bridge === bridge).map((t) => t.name);
  if (nics || taps.length) {
    const users = [...(nics ? [`${nics} container NIC(s)`] : []), ...(taps.length ? [`host tap(s) ${taps.join(', ')}`] : [])].join(' and ');
    throw new EngineError('E_STATE', `bridge destroy: bridge ${bridge} is in use by ${users}: kill or disconnect them first`, { op: 'bridge destroy', bridge });
  }
  await net.exclusive(async (core) => {
    await ctx.trunks.forget(core, net, bridge);
    if (await core.backend.removeBridgeIfUnused(bridge)) await core.save();
  });
}
