import { join } from 'node:path';
import type { Host } from '../host/host.js';
import { initScript, writeSkeleton } from './common.js';

/** Host directories shared read-only into the built-in filesystem (or recreated as the same symlink). */
const SHARED = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
/** Version of the generated layout; bump to regenerate existing ones. */
const HOSTFS_VERSION = '2';

export interface HostFs {
  root: string;
  /** Read-only binds the shim makes inside the container (host path → same path). */
  binds: { src: string; dst: string; readonly: true }[];
}

/**
 * The built-in "host" filesystem (design.md §8): a tiny generated root whose /usr, /bin, /lib*
 * are read-only bind mounts of the host's own, so the first launch needs no download. Where the
 * host has merged /usr (/bin -> usr/bin), the same symlink is recreated instead.
 */
export async function ensureHostFs(host: Host, root: string): Promise<HostFs> {
  const binds: HostFs['binds'] = [];
  const stamp = join(root, '.nanomega-hostfs');
  const fresh = (await host.readFile(stamp).catch(() => '')) !== HOSTFS_VERSION;
  if (fresh) await writeSkeleton(host, root);
  for (const name of SHARED) {
    const hostPath = `/${name}`;
    const kind = await host.kind(hostPath);
    const target = join(root, name);
    if (kind === 'symlink') {
      if (fresh && !(await host.kind(target))) await host.symlink(await host.readlink(hostPath), target);
    } else if (kind === 'dir') {
      if (fresh) await host.mkdir(target, { recursive: true });
      binds.push({ src: hostPath, dst: hostPath, readonly: true });
    }
  }
  if (fresh) {
    await host.createFile(join(root, 'init'), initScript('nanomega: host filesystem container', 'ip'), 0o755);
    await host.createFile(stamp, HOSTFS_VERSION, 0o644);
  }
  return { root, binds };
}
