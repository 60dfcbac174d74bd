import { dirname, join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { initScript, writeSkeleton } from './common.js';

/** Where Debian's busybox-static installs the binary. */
export const HOST_BUSYBOX = '/bin/busybox';

/**
 * A minimega-style busybox root: the static busybox, one symlink per applet, /etc, and an
 * /init that brings up lo, prints a banner and keeps a shell on the console.
 */
export async function buildBusyboxRoot(host: Host, dir: string, busybox = HOST_BUSYBOX): Promise<void> {
  if (!(await host.exists(busybox))) {
    throw new EngineError('E_NOT_FOUND', `busybox not found at ${busybox} (apt-get install busybox-static)`, { path: busybox });
  }
  await writeSkeleton(host, dir);
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin']) await host.mkdir(join(dir, d), { recursive: true });
  await host.copyFile(busybox, join(dir, 'bin/busybox'), 0o755);
  const list = await host.run([busybox, '--list-full']);
  if (list.code !== 0) throw new EngineError('E_HOST', `${busybox} --list-full: ${list.stderr.trim()}`, { path: busybox });
  for (const rel of list.stdout.split('\n').filter(Boolean)) {
    if (rel === 'bin/busybox') continue;
    const link = join(dir, rel);
    await host.mkdir(dirname(link), { recursive: true });
    if (!(await host.kind(link))) await host.symlink('/bin/busybox', link);
  }
  await host.createFile(join(dir, 'init'), initScript('nanomega busybox container'), 0o755);
}
