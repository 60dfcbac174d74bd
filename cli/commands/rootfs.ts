import { LinuxHost } from '../../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../../engine/rootfs/busybox.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

export const command: Subcommand = {
  name: 'rootfs',
  options: [],
  usage: 'rootfs build busybox DIR',
  summary: 'make a minimega-style busybox root filesystem in DIR',
  async run(_args, rest) {
    if (rest[0] !== 'build' || rest[1] !== 'busybox' || !rest[2] || rest.length > 3) fail('usage: nanomega rootfs build busybox DIR');
    await buildBusyboxRoot(new LinuxHost(), rest[2]);
    process.stdout.write(`nanomega: busybox root filesystem in ${rest[2]}\n`);
    return 0;
  },
};
