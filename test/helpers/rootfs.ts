import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../../engine/rootfs/busybox.js';

/** A fresh busybox root filesystem in a temp dir, built the way `nanomega rootfs build busybox` does. */
export async function busyboxRoot(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'nm-fs-')), 'rootfs');
  await buildBusyboxRoot(new LinuxHost(), dir);
  return { dir, remove: () => rm(join(dir, '..'), { recursive: true, force: true }) };
}
