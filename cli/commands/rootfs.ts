import { LinuxHost } from '../../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../../engine/rootfs/busybox.js';
import { buildDebianRoot, type DebianOptions } from '../../engine/rootfs/debian.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

const BUSYBOX_USAGE = 'rootfs build busybox DIR';
const DEBIAN_USAGE = 'rootfs build debian DIR [--suite bookworm] [--sshd] [--ssh-key FILE] [--packages a,b] [--force] [--mirror URL]';

/** `rootfs build debian`'s words → DIR and options (`--flag value`); throws with the usage on anything else. */
export function parseDebianArgs(words: readonly string[]): { dir: string; opts: DebianOptions } {
  const opts: { suite?: string; sshd?: boolean; sshKey?: string; packages?: string[]; force?: boolean; mirror?: string } = {};
  let dir: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const flag = words[i]!;
    const value = (): string => {
      const v = words[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\nusage: nanomega ${DEBIAN_USAGE}`);
      return v;
    };
    if (flag === '--suite') opts.suite = value();
    else if (flag === '--ssh-key') opts.sshKey = value();
    else if (flag === '--mirror') opts.mirror = value();
    else if (flag === '--packages') opts.packages = value().split(',').filter(Boolean);
    else if (flag === '--sshd') opts.sshd = true;
    else if (flag === '--force') opts.force = true;
    else if (flag.startsWith('-')) throw new Error(`unknown option \`${flag}\`\nusage: nanomega ${DEBIAN_USAGE}`);
    else if (dir === undefined) dir = flag;
    else throw new Error(`unexpected \`${flag}\`\nusage: nanomega ${DEBIAN_USAGE}`);
  }
  if (dir === undefined) throw new Error(`usage: nanomega ${DEBIAN_USAGE}`);
  return { dir, opts };
}

export const command: Subcommand = {
  name: 'rootfs',
  options: ['--suite', '--sshd', '--ssh-key', '--packages', '--force', '--mirror'],
  usage: `${BUSYBOX_USAGE} | ${DEBIAN_USAGE}`,
  summary: 'make a root filesystem in DIR: minimega-style busybox, or Debian (debootstrap) with DHCP and optional sshd',
  async run(_args, rest) {
    const [verb, kind, ...words] = rest;
    if (verb === 'build' && kind === 'busybox') {
      if (words.length !== 1) fail(`usage: nanomega ${BUSYBOX_USAGE}`);
      await buildBusyboxRoot(new LinuxHost(), words[0]!);
      process.stdout.write(`nanomega: busybox root filesystem in ${words[0]}\n`);
      return 0;
    }
    if (verb === 'build' && kind === 'debian') {
      let parsed: ReturnType<typeof parseDebianArgs>;
      try {
        parsed = parseDebianArgs(words);
      } catch (e) {
        fail((e as Error).message);
      }
      const log = (line: string) => process.stdout.write(`nanomega: ${line}\n`);
      const built = await buildDebianRoot(new LinuxHost(), parsed.dir, { ...parsed.opts, log });
      process.stdout.write(`nanomega: debian ${built.suite} root filesystem in ${built.dir} (${built.packages.join(', ')})\n`);
      return 0;
    }
    fail(`usage: nanomega ${BUSYBOX_USAGE}\n       nanomega ${DEBIAN_USAGE}`);
  },
};
