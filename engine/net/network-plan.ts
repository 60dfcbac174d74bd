/** Container NICs on paper: the records a launch or `vm net add` will make, and how a record is shown. */
import type { NetSpec, NicInfo } from '../api/types.js';
import { EngineError, configError } from '../errors.js';
import { bareIp, checkNetSpec, generateMac } from './netspec.js';
import type { NetParts } from './network-state.js';
import type { AttachRequest, NicRecord } from './network-types.js';
import type { VlanAliases } from './vlans.js';

/** Container ends are veth0, veth1… inside the container. */
const CONTAINER_IFNAME = 'veth';

/**
 * The NIC records of a container being attached; refuses one that is attached already or has no usable
 * init pid. `inUse`: the MACs taken, shared by the containers of one wave (see planNics).
 */
export function planAttach(parts: NetParts, req: AttachRequest, inUse: Set<string>): NicRecord[] {
  const { id, nics } = req.c;
  if (parts.state.containers.has(id)) throw new EngineError('E_EXISTS', `attach c${id}: already attached`, { op: 'attach', path: `c${id}` });
  if (!Number.isInteger(req.initPid) || req.initPid <= 0) throw configError('initPid', req.initPid, `attach c${id}: bad init pid ${req.initPid}`);
  return planNics(parts, nics, 0, req.c.namespace, inUse);
}

/**
 * NIC records for `specs` as NICs `first`, `first`+1 … of a container: taps numbered, MACs generated
 * unlike those in `inUse`, which gets the new ones — all of them or, when a spec is refused, none. A wave
 * passes one set for all its containers: a set made afresh for each would make a launch of n containers
 * quadratic in n.
 */
export function planNics(
  parts: NetParts,
  specs: readonly NetSpec[],
  first: number,
  namespace: string | undefined,
  inUse: Set<string> = parts.state.macsInUse(),
): NicRecord[] {
  const added: string[] = [];
  try {
    return specs.map((spec, i) => planNic(parts, spec, first + i, namespace, inUse, added));
  } catch (e) {
    for (const mac of added) inUse.delete(mac);
    throw e;
  }
}

/** One record of planNics; a MAC it puts into `inUse` is also pushed to `added`. */
function planNic(parts: NetParts, spec: NetSpec, index: number, namespace: string | undefined, inUse: Set<string>, added: string[]): NicRecord {
  const { state, backend } = parts;
  checkNetSpec(spec, `net[${index}]`);
  if (spec.qinq && backend.kind !== 'ovs') {
    throw configError('networks', spec.vlan, `net[${index}]: qinq needs the Open vSwitch backend (this host uses the Linux bridge, ${backend.mode})`);
  }
  const vlanId = state.vlans.resolve(spec.vlan, namespace);
  let mac = spec.mac.toLowerCase();
  if (mac === '') {
    do mac = generateMac();
    while (inUse.has(mac));
  }
  if (!inUse.has(mac)) {
    inUse.add(mac);
    added.push(mac);
  }
  return {
    index,
    tap: state.newTap(),
    ifname: `${CONTAINER_IFNAME}${index}`,
    mac,
    bridge: bridgeOf(spec, parts.defaultBridge),
    vlan: spec.vlan.trim(),
    vlanId,
    ip: spec.ip,
    connected: true,
    ...(spec.qinq ? { qinq: true } : {}),
  };
}

/**
 * The NICs `specs` ask for, as `vm info` shows a container that has none made (its launch failed
 * before or after making them): VLAN and bridge as configured, no tap, the MAC only if given. An
 * alias no launch has allocated yet has id -1.
 */
export function configuredNics(vlans: VlanAliases, defaultBridge: string, specs: readonly NetSpec[], namespace?: string): NicInfo[] {
  return specs.map((spec) => ({
    vlan: spec.vlan.trim(),
    vlanId: vlans.lookup(spec.vlan, namespace) ?? -1,
    bridge: bridgeOf(spec, defaultBridge),
    tap: '',
    mac: spec.mac.toLowerCase(),
    ip: '',
    ip6: '',
  }));
}

/** The bridge a netspec names; '' is the default one. */
export function bridgeOf(spec: NetSpec, defaultBridge: string): string {
  return spec.bridge === '' ? defaultBridge : spec.bridge;
}

/** A NIC as `vm info` shows it: its configured address, without the prefix length. */
export function nicInfo(n: NicRecord): NicInfo {
  return { vlan: n.vlan, vlanId: n.vlanId, bridge: n.bridge, tap: n.tap, mac: n.mac, ip: bareIp(n.ip), ip6: '' };
}
