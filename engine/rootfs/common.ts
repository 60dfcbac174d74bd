import { join } from 'node:path';
import type { Host } from '../host/host.js';

/** Directories every container root needs as mount points or for a shell to be usable. */
export const ROOT_DIRS = ['dev', 'proc', 'sys', 'tmp', 'root', 'run', 'etc', 'var', 'var/tmp', 'mnt', 'home'];

export const ETC_FILES: Record<string, string> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  'etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  'etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  // $PWD is expanded at each prompt by dash and busybox ash alike (POSIX parameter expansion of PS1).
  // The hostname is read with the shell's own `read`: a login shell of every container forks nothing.
  'etc/profile':
    'read -r PS1 < /proc/sys/kernel/hostname\nexport PS1="$PS1:\\$PWD# "\nexport PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n',
};

/** Create the common skeleton (dirs, /etc) under `root`. Idempotent. */
export async function writeSkeleton(host: Host, root: string): Promise<void> {
  await host.mkdir(root, { recursive: true });
  for (const d of ROOT_DIRS) await host.mkdir(join(root, d), { recursive: true });
  for (const [rel, data] of Object.entries(ETC_FILES)) await host.createFile(join(root, rel), data, 0o644);
}

/**
 * The init script both generated roots use: print a banner, keep a shell on the console. The shell
 * is restarted when a user exits it, so `exit` at the console does not end the container (vm kill
 * does). lo is already up (the shim brings it up in every container) and the hostname is read with
 * a shell builtin: at a thousand containers starting at once, every process an init forks is CPU
 * taken from the others.
 */
export function initScript(banner: string): string {
  return [
    '#!/bin/sh',
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root',
    'read -r host < /proc/sys/kernel/hostname',
    `echo "${banner} $host"`,
    'cd /root',
    'while true; do /bin/sh -l; done',
    '',
  ].join('\n');
}
