import { dirname, isAbsolute, sep } from 'node:path';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';

/** Sticky bit: in a sticky directory only an entry's owner (or root) may rename or remove it. */
const STICKY = 0o1000;

function refuse(base: string, why: string): EngineError {
  return new EngineError('E_CONFIG', `base \`${base}\`: ${why}`, { field: 'base', value: base });
}

/**
 * Make `base` a directory only root controls and only the daemon's group can reach (review H2,
 * L7). The root daemon creates, renames and removes files there, follows paths into it and hands
 * it to the kernel as overlay layers: a base some user could write, or reach through a directory
 * some user could write, would let that user steer root (sshd's StrictModes, for the same reason).
 *
 * - every directory from / down to base's parent is root-owned and not group- or world-writable,
 *   unless sticky (/tmp: other users cannot move our entry);
 * - base itself is a root-owned directory, never a symlink; made 0700 when missing;
 * - its mode becomes 0710 with group `gid` (search only: members reach the socket, whose own mode
 *   says who may connect) or 0700 without one, so no other user can look inside at all.
 */
export async function secureBase(host: Host, base: string, gid: number | undefined): Promise<void> {
  if (!isAbsolute(base)) throw refuse(base, 'must be an absolute path');
  let st = await host.lstat(base);
  if (!st) await host.mkdir(dirname(base), { recursive: true, mode: 0o755 });
  const parent = await host.realpath(dirname(base));
  const parts = parent.split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    const p = await host.lstat(dir);
    if (!p || p.kind !== 'dir') throw refuse(base, `\`${dir}\` is not a directory`);
    if (p.uid !== 0) throw refuse(base, `\`${dir}\` is owned by uid ${p.uid}, not root`);
    if (p.mode & 0o022 && !(p.mode & STICKY)) throw refuse(base, `\`${dir}\` is writable by group or others (mode ${p.mode.toString(8)})`);
  }
  if (!st) {
    await host.mkdir(base, { mode: 0o700 });
    st = await host.lstat(base);
  }
  if (!st || st.kind === 'symlink') throw refuse(base, 'is a symlink');
  if (st.kind !== 'dir') throw refuse(base, 'is not a directory');
  if (st.uid !== 0) throw refuse(base, `is owned by uid ${st.uid}, not root`);
  const mode = gid === undefined ? 0o700 : 0o710;
  if (gid !== undefined && st.gid !== gid) await host.chown(base, 0, gid);
  if (st.mode !== mode) await host.chmod(base, mode);
}
