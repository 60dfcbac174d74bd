/** The NICs of a live container changed: `vm net add`, `vm net connect` and `vm net disconnect`. */
import type { NetSpec, NicInfo } from '../api/types.js';
import { EngineError, configError } from '../errors.js';
import { logError } from '../log.js';
import { containerLines } from './batch.js';
import { PROC, runBatch } from './ip.js';
import { existingLinks } from './link-readers.js';
import { checkNetSpec } from './netspec.js';
import { deleteHostEnds, makeHostEnds } from './network-host-ends.js';
import { nicInfo, planNics } from './network-plan.js';
import type { NetParts } from './network-state.js';
import type { ContainerNet, NicRecord } from './network-types.js';

/**
 * `vm net add`: NICs added to a live container after the ones it has (eth-style names veth<N>, up,
 * addresses added), host ends on their bridges. All or nothing: on failure the new host ends go
 * (their peers with them) and the container keeps what it had.
 */
export async function addNics(parts: NetParts, id: number, initPid: number, specs: readonly NetSpec[], namespace?: string): Promise<NicInfo[]> {
  const { host, state } = parts;
  if (!Number.isInteger(initPid) || initPid <= 0) throw configError('initPid', initPid, `add nics to c${id}: bad init pid ${initPid}`);
  const netns = `${PROC}/${initPid}/ns/net`;
  if (!(await host.exists(netns))) throw new EngineError('E_NOT_FOUND', `add nics to c${id}: no network namespace ${netns}`, { op: 'net add', path: netns });
  const had = state.containers.get(id);
  const rec: ContainerNet = had ?? { pid: initPid, nics: [] };
  const added = planNics(parts, specs, rec.nics.length, namespace);
  state.containers.set(id, { ...rec, nics: [...rec.nics, ...added] });
  await state.save();
  try {
    await makeHostEnds(parts, [{ req: { c: { id, nics: [...specs] }, initPid }, nics: added }]);
    await runBatch(host, 'ip', containerLines(added), { op: `add nics to c${id} (pid ${initPid})`, netnsPid: initPid });
  } catch (e) {
    const taps = await existingLinks(
      host,
      added.map((n) => n.tap),
    );
    await deleteHostEnds(host, taps, `add nics to c${id}: undo`).catch((e2: unknown) => logError(`vm net add: removing the new NICs of c${id}`, e2));
    if (had) state.containers.set(id, had);
    else state.containers.delete(id);
    for (const b of new Set(added.map((n) => n.bridge))) await parts.backend.removeBridgeIfUnused(b).catch(() => undefined);
    await state.save();
    throw e;
  }
  return added.map(nicInfo);
}

/** Moves NIC `index` of a live container to `vlan` (and `bridge`, default: the NIC's bridge). */
export async function connect(parts: NetParts, id: number, index: number, vlan: string, bridge?: string, namespace?: string): Promise<NicInfo> {
  const nic = nicOf(parts, id, index);
  const target = bridge === undefined || bridge === '' ? nic.bridge : bridge;
  checkNetSpec({ bridge: target, vlan, mac: '', ip: '' }, `net[${index}]`);
  const vlanId = parts.state.vlans.resolve(vlan, namespace);
  const be = parts.backend;
  const old = nic.bridge;
  if (nic.connected && target !== old) await be.removePort(old, nic.tap);
  await be.movePort(target, nic.tap, vlanId);
  Object.assign(nic, { bridge: target, vlan: vlan.trim(), vlanId, connected: true });
  if (target !== old) await be.removeBridgeIfUnused(old);
  await parts.state.save();
  return nicInfo(nic);
}

/** Takes NIC `index` off its bridge; the veth stays, so `connect` can bring it back. */
export async function disconnect(parts: NetParts, id: number, index: number): Promise<NicInfo> {
  const nic = nicOf(parts, id, index);
  if (nic.connected) {
    await parts.backend.removePort(nic.bridge, nic.tap);
    await parts.backend.removeBridgeIfUnused(nic.bridge);
  }
  Object.assign(nic, { connected: false, vlan: 'disconnected', vlanId: 0 });
  await parts.state.save();
  return nicInfo(nic);
}

function nicOf(parts: NetParts, id: number, index: number): NicRecord {
  const nic = parts.state.containers.get(id)?.nics[index];
  if (!nic) throw new EngineError('E_NOT_FOUND', `c${id} has no nic ${index}`, { op: 'net', path: `c${id}/nic${index}` });
  return nic;
}
