import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Host } from '../host/host.js';
import { initScript, writeSkeleton } from './common.js';

/** Host directories shared read-only into the built-in filesystem (or recreated as the same symlink). */
const SHARED = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
/** Version of the generated layout; bump to regenerate existing ones. */
const HOSTFS_VERSION = '2';
const STAMP = '.nanomega-hostfs';

export interface HostFs {
  root: string;
  /** Read-only binds the shim makes inside the container (host path → same path). */
  binds: { src: string; dst: string; readonly: true }[];
}

/**
 * The built-in "host" filesystem (design.md §8): a tiny generated root whose /usr, /bin, /lib*
 * are read-only bind mounts of the host's own, so the first launch needs no download. Where the
 * host has merged /usr (/bin -> usr/bin), the same symlink is recreated instead.
 *
 * It is the read-only lower layer of every default container and never writable by one (launch
 * refuses `snapshot false` without a filesystem). Still, it is never written in place: a new
 * version is generated into a directory of its own, made fresh (mkdir fails on anything already
 * there), and renamed over the old one, so nothing planted in an old tree (a symlink from `etc`
 * to the host's /etc, from `init` to /etc/shadow) is ever followed by the root daemon. Old trees
 * stay beside it until `inUse` says no container can still have one as its lower layer.
 */
export async function ensureHostFs(host: Host, root: string, inUse: () => boolean = () => true): Promise<HostFs> {
  const binds: HostFs['binds'] = [];
  const links: [string, string][] = [];
  const dirs: string[] = [];
  for (const name of SHARED) {
    const hostPath = `/${name}`;
    const kind = await host.kind(hostPath);
    if (kind === 'symlink') links.push([name, await host.readlink(hostPath)]);
    else if (kind === 'dir') {
      dirs.push(name);
      binds.push({ src: hostPath, dst: hostPath, readonly: true });
    }
  }
  if (!(await current(host, root))) await regenerate(host, root, dirs, links);
  if (!inUse()) await removeOld(host, root);
  return { root, binds };
}

/** A root-owned directory (not a symlink) holding a regular stamp file of this version. */
async function current(host: Host, root: string): Promise<boolean> {
  const dir = await host.lstat(root);
  if (dir?.kind !== 'dir' || dir.uid !== 0) return false;
  const stamp = await host.lstat(join(root, STAMP));
  if (stamp?.kind !== 'file') return false;
  return (await host.readFile(join(root, STAMP)).catch(() => '')) === HOSTFS_VERSION;
}

function sibling(root: string, what: 'new' | 'old'): string {
  return join(dirname(root), `.${basename(root)}.${what}-${randomBytes(6).toString('hex')}`);
}

async function regenerate(host: Host, root: string, dirs: string[], links: [string, string][]): Promise<void> {
  const fresh = sibling(root, 'new');
  await host.mkdir(fresh, { mode: 0o755 }); // not recursive: EEXIST if anything is there
  try {
    await writeSkeleton(host, fresh);
    for (const name of dirs) await host.mkdir(join(fresh, name), { recursive: true });
    for (const [name, target] of links) await host.symlink(target, join(fresh, name));
    await host.createFile(join(fresh, 'init'), initScript('nanomega: host filesystem container'), 0o755);
    await host.createFile(join(fresh, STAMP), HOSTFS_VERSION, 0o644);
    await host.chmod(fresh, 0o755);
  } catch (e) {
    await host.removeTree(fresh).catch(() => undefined); // Best-effort: ours, and never reused.
    throw e;
  }
  if (await host.lstat(root)) await host.rename(root, sibling(root, 'old'));
  await host.rename(fresh, root);
}

/** Old generations and half-made new ones (a crash mid-way) of `root`. */
async function removeOld(host: Host, root: string): Promise<void> {
  const prefix = `.${basename(root)}.`;
  for (const name of await host.readdir(dirname(root)).catch(() => [] as string[])) {
    if (name.startsWith(`${prefix}old-`) || name.startsWith(`${prefix}new-`)) await host.removeTree(join(dirname(root), name));
  }
}
