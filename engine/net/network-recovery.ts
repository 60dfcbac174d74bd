/** Putting the kernel back in line with net.json after a restart (reconcile), or removing all we made (nuke). */
import { logError } from '../log.js';
import { deleteLines } from './batch.js';
import { runBatch } from './ip.js';
import { existingLinks, taggedLinks } from './link-readers.js';
import { removeContainerNics } from './network-host-ends.js';
import type { NetParts } from './network-state.js';

/**
 * After a daemon restart: forget and delete NICs of containers that are gone, and delete tagged host
 * ends that no record owns (a launch that died half-way).
 */
export async function reconcile(parts: NetParts, live: ReadonlySet<number>): Promise<void> {
  const { state } = parts;
  const dead = [...state.containers.keys()].filter((id) => !live.has(id));
  await removeContainerNics(parts, dead);
  const known = state.tapsInUse();
  const stray = (await taggedLinks(parts.host, parts.tag)).filter((l) => l.kind === 'tap' && !known.has(l.name)).map((l) => l.name);
  if (state.lost) {
    // Without net.json a live container's NIC looks exactly like a stray: keep them all.
    if (stray.length)
      logError('network reconcile', `net.json was unreadable: keeping ${stray.length} tagged link(s) it cannot account for (nuke removes them)`);
    return;
  }
  await runBatch(parts.host, 'ip', deleteLines(stray), { op: 'reconcile', force: true });
}

/** Removes every veth and bridge this engine created (by record and by alias tag). */
export async function nuke(parts: NetParts): Promise<void> {
  const { host, state } = parts;
  const links = await taggedLinks(host, parts.tag);
  const taps = state.tapsInUse();
  for (const l of links) if (l.kind !== 'bridge') taps.add(l.name); // host taps (taps.ts) too
  await runBatch(host, 'ip', deleteLines(await existingLinks(host, taps)), { op: 'nuke', force: true });
  const bridges = new Set(state.owned.keys());
  for (const l of links) if (l.kind === 'bridge') bridges.add(l.name);
  const live = await existingLinks(host, bridges);
  await runBatch(
    host,
    'ip',
    live.map((b) => `link del ${b}`),
    { op: 'nuke', force: true },
  );
  state.containers.clear();
  state.owned.clear();
  await state.save();
}
