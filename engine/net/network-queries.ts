/** What the network answers without changing anything: NICs as recorded, addresses and counters as the kernel has them, bridges. */
import type { NicInfo } from '../api/types.js';
import { PROC, runOne, SYS_NET } from './ip.js';
import { existingLinks, parseAddrJson } from './link-readers.js';
import type { NetHost } from './net-host.js';
import { nicInfo } from './network-plan.js';
import type { NetParts } from './network-state.js';
import type { NicAddresses, NicCounters } from './network-types.js';

/** NicInfo of a container as recorded (configured addresses; see readAddresses for the real ones). */
export function recordedNics(parts: NetParts, id: number): NicInfo[] {
  return (parts.state.containers.get(id)?.nics ?? []).map(nicInfo);
}

/** Addresses as the container sees them, read from its own netns. */
export async function readAddresses(host: NetHost, initPid: number): Promise<NicAddresses[]> {
  const out = await runOne(
    host,
    ['nsenter', `--net=${PROC}/${initPid}/ns/net`, '--', 'ip', '-j', 'addr', 'show'],
    'read addresses',
    `${PROC}/${initPid}/ns/net`,
  );
  return parseAddrJson(out);
}

/**
 * Kernel bridges that make up logical bridge `bridge` now: the ones this engine created for it (one per
 * VLAN in bridge-per-vlan mode) and a bridge device of that name made by someone else.
 */
export async function kernelBridges(parts: NetParts, bridge: string): Promise<string[]> {
  const out = new Set([...parts.state.owned].filter(([, logical]) => logical === bridge).map(([kb]) => kb));
  if (/^[^/\s]{1,15}$/.test(bridge) && bridge !== '.' && bridge !== '..' && (await parts.host.exists(`${SYS_NET}/${bridge}/bridge`))) out.add(bridge);
  return existingLinks(parts.host, [...out].sort());
}

/** Bridge and VLAN of every connected container NIC (what `bridge` lists). */
export function bridgePorts(parts: NetParts): { bridge: string; vlanId: number }[] {
  return [...parts.state.containers.values()].flatMap((c) => c.nics.filter((n) => n.connected).map((n) => ({ bridge: n.bridge, vlanId: n.vlanId })));
}

/** Kernel bridges this engine made for each logical bridge (its record; some may be gone). */
export function ownedByLogical(parts: NetParts): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [kb, logical] of [...parts.state.owned].sort()) out.set(logical, [...(out.get(logical) ?? []), kb]);
  return out;
}

/** Per-NIC byte counters from the host ends, turned round to the container's point of view. */
export async function counters(parts: NetParts, id: number): Promise<NicCounters[]> {
  const { host } = parts;
  const out: NicCounters[] = [];
  for (const n of parts.state.containers.get(id)?.nics ?? []) {
    const stat = `${SYS_NET}/${n.tap}/statistics`;
    if (!(await host.exists(stat))) continue;
    const hostRx = Number((await host.readFile(`${stat}/rx_bytes`)).trim());
    const hostTx = Number((await host.readFile(`${stat}/tx_bytes`)).trim());
    out.push({ index: n.index, tap: n.tap, rxBytes: hostTx, txBytes: hostRx });
  }
  return out;
}
