// The Debian image the lab tests share (walkthrough, 100 containers, rootfs checks): built by
// `rootfs build debian --sshd --ssh-key` once into a cache directory and reused by every suite of
// the run (and by later runs on the same machine while the image recipe is unchanged). ~40 s and
// ~160 MB; CI machines start empty, so CI builds it once per run.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { buildDebianRoot } from '../../engine/rootfs/debian.js';
import { BASE_PACKAGES, DEFAULT_SUITE, DHCLIENT_TUNING, INIT, MARKER, SSHD_CONF, SSHD_PACKAGES } from '../../engine/rootfs/debian-image.js';

const run = promisify(execFile);

/** Where images are cached; NANOMEGA_TEST_CACHE overrides. Not under /tmp: it survives reboots. */
export const CACHE = process.env.NANOMEGA_TEST_CACHE ?? '/var/tmp/nanomega-test-cache';

export interface DebianImage {
  /** The root filesystem (vm config filesystem). */
  dir: string;
  /** Private key whose public half is root's authorized key in the image. */
  key: string;
}

let pending: Promise<DebianImage> | undefined;

/** The shared image: the cached one when its recipe matches, else built now. */
export function debianImage(): Promise<DebianImage> {
  pending ??= build().catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

async function build(): Promise<DebianImage> {
  const recipe = createHash('sha1')
    .update([DEFAULT_SUITE, ...BASE_PACKAGES, ...SSHD_PACKAGES, INIT, SSHD_CONF, DHCLIENT_TUNING].join('\0'))
    .digest('hex')
    .slice(0, 12);
  const home = join(CACHE, `debian-${DEFAULT_SUITE}-${recipe}`);
  const dir = join(home, 'rootfs');
  const key = join(home, 'id_ed25519');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (!existsSync(key)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nanomega-tests', '-f', key]);
  if (!existsSync(join(dir, MARKER))) {
    const started = Date.now();
    await buildDebianRoot(new LinuxHost(), dir, { sshd: true, sshKey: `${key}.pub`, force: true });
    console.log(`# built the shared Debian image in ${((Date.now() - started) / 1000).toFixed(0)} s: ${dir}`);
  }
  return { dir, key };
}

/**
 * `ssh -i KEY root@IP CMD` that leaves the user's ~/.ssh alone: no config file, no known_hosts
 * read or written, no agent, keys from the command line only.
 */
export async function ssh(key: string, ip: string, cmd: string, timeoutMs = 20_000): Promise<string> {
  const argv = [
    '-F',
    '/dev/null',
    '-i',
    key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=5',
    `root@${ip}`,
    cmd,
  ];
  const { stdout } = await run('ssh', argv, { timeout: timeoutMs });
  return stdout;
}
