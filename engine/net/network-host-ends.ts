/** The host ends of container NICs (`mega_tapN`): made on their bridges in one batch, deleted many at once. */
import { randomInt } from 'node:crypto';
import { deleteLines, hostNicLines } from './batch.js';
import { markOf, type PortPlan } from './bridge-backend.js';
import { runBatch, runOne } from './ip.js';
import { existingLinks } from './link-readers.js';
import type { NetHost } from './net-host.js';
import type { NetParts } from './network-state.js';
import type { PlannedAttach } from './network-types.js';

/** Device groups a batched delete picks from: [2^30, 2^31), far from the small numbers people name in /etc/iproute2/group. */
const DELETE_GROUP_BASE = 2 ** 30;

/**
 * Makes the host end of every planned NIC, its peer directly in the container's netns, and puts it
 * on its bridge as an access port of its VLAN: one `ip -batch` for all (plus one `bridge -batch` in
 * vlan-filtering mode).
 */
export async function makeHostEnds(parts: NetParts, planned: readonly PlannedAttach[]): Promise<void> {
  const prelude: string[] = [];
  const ports: PortPlan[] = [];
  for (const p of planned) {
    for (const n of p.nics) {
      const mark = markOf(parts.tag, `tap c${p.req.c.id} nic${n.index}`);
      prelude.push(...hostNicLines(n.tap, n.ifname, n.mac, p.req.initPid, mark, parts.mtu()));
      ports.push({ bridge: n.bridge, port: n.tap, vlan: n.vlanId, ...(n.qinq ? { qinq: true } : {}) });
    }
  }
  if (prelude.length === 0) return;
  await parts.backend.addPorts(ports, prelude);
}

/** Deletes the host ends of `ids` (missing ones are fine), their unused bridges, and the records. */
export async function removeContainerNics(parts: NetParts, ids: readonly number[]): Promise<void> {
  const { state } = parts;
  const nics = ids.flatMap((id) => state.containers.get(id)?.nics ?? []);
  const taps = await existingLinks(
    parts.host,
    nics.map((n) => n.tap),
  );
  await deleteHostEnds(parts.host, taps, `detach c${ids.join(',c')}`);
  for (const id of ids) state.containers.delete(id);
  for (const b of new Set(nics.map((n) => n.bridge))) await parts.backend.removeBridgeIfUnused(b);
  await state.save();
}

/**
 * Deletes host ends, many at once by device group: each `link del` waits for the kernel to let go
 * of the device (an RCU grace period and more, ~18 ms, under the RTNL lock that every namespace
 * and link of the host also needs), while `link del group G` unregisters the whole group with one
 * wait (500 veth pairs: 9 s one by one, 0.3 s by group). The group is a random one of ours, and is
 * deleted only when it holds nothing but our devices; otherwise they go one by one.
 */
export async function deleteHostEnds(host: NetHost, taps: readonly string[], op: string): Promise<void> {
  if (taps.length < 2) {
    await runBatch(host, 'ip', deleteLines(taps), { op, force: true });
    return;
  }
  const group = DELETE_GROUP_BASE + randomInt(DELETE_GROUP_BASE);
  await runBatch(
    host,
    'ip',
    taps.map((t) => `link set ${t} group ${group}`),
    { op, force: true },
  );
  const out = await runOne(host, ['ip', '-j', 'link', 'show', 'group', String(group)], op, `group ${group}`).catch(() => '');
  let members: string[] | undefined;
  try {
    members = (JSON.parse(out || '[]') as { ifname: string }[]).map((l) => l.ifname);
  } catch {
    members = undefined;
  }
  const ours = new Set(taps);
  if (members && members.every((m) => ours.has(m))) {
    if (members.length > 0) await runBatch(host, 'ip', [`link del group ${group}`], { op, force: true });
    return;
  }
  await runBatch(host, 'ip', deleteLines(members ? members.filter((m) => ours.has(m)) : taps), { op, force: true });
}
