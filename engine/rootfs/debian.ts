// `nanomega rootfs build debian DIR`: a Debian root made by Debian's own debootstrap from the mirror
// apt already uses, turned into minimega's containerfs (see debian-image.ts). It is built next to
// DIR and renamed into place, so a failed build never leaves half a root at DIR.
import { basename, dirname, join, resolve } from 'node:path';
import { EngineError, configError } from '../errors.js';
import type { Host } from '../host/host.js';
import { aptProxy, chooseMirror, parseDeb822, parseSourcesList, type AptSource } from './apt-sources.js';
import {
  BASE_PACKAGES,
  DEFAULT_SUITE,
  DHCLIENT_TUNING,
  INIT,
  MARKER,
  SSHD_CONF,
  SSHD_PACKAGES,
  debootstrapArgv,
  isPackageName,
  isSuiteName,
  publicKeyLines,
} from './debian-image.js';

const SOURCES_LIST = '/etc/apt/sources.list';
const SOURCES_DIR = '/etc/apt/sources.list.d';
/** Directories a mistaken --force must never wipe. */
const SYSTEM_DIRS = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
]);

export interface DebianOptions {
  suite?: string;
  /** Install openssh-server; /init starts sshd. */
  sshd?: boolean;
  /** A host file of public keys for root's authorized_keys (implies sshd). */
  sshKey?: string;
  /** Extra packages. */
  packages?: readonly string[];
  /** Replace DIR when it holds a root nanomega built. */
  force?: boolean;
  /** Archive URL; default: the one apt uses. */
  mirror?: string;
  /** Progress lines (debootstrap's own output is not streamed). */
  log?: (line: string) => void;
}

export interface DebianBuild {
  dir: string;
  suite: string;
  mirror: string;
  packages: string[];
}

export async function buildDebianRoot(host: Host, dirArg: string, o: DebianOptions = {}): Promise<DebianBuild> {
  const dir = resolve(dirArg);
  const suite = o.suite ?? DEFAULT_SUITE;
  if (!isSuiteName(suite)) throw configError('suite', suite, `invalid suite \`${suite}\`: a Debian codename like bookworm`);
  for (const p of o.packages ?? []) if (!isPackageName(p)) throw configError('packages', p, `invalid package name \`${p}\``);
  const keys = o.sshKey === undefined ? undefined : await readKeys(host, o.sshKey);
  const sshd = o.sshd === true || keys !== undefined;
  await checkTarget(host, dir, o.force === true);

  const { uri, keyring } = o.mirror ? { uri: o.mirror, keyring: '' } : chooseMirror(await aptSources(host), suite);
  const packages = [...new Set([...BASE_PACKAGES, ...(sshd ? SSHD_PACKAGES : []), ...(o.packages ?? [])])];
  const proxy = aptProxy((await host.run(['apt-config', 'dump']).catch(() => undefined))?.stdout ?? '');
  const tmp = join(dirname(dir), `.${basename(dir)}.build-${process.pid}`);
  o.log?.(`debootstrap ${suite} from ${uri} (${packages.join(', ')}) into ${tmp}`);
  try {
    await removeBuild(host, tmp);
    const argv = debootstrapArgv({ suite, target: tmp, mirror: uri, keyring: keyring && (await host.exists(keyring)) ? keyring : '', packages, proxy });
    const r = await host.run(argv);
    if (r.code !== 0) {
      const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join('; ');
      throw new EngineError('E_HOST', `debootstrap ${suite} ${uri}: exit ${r.code}: ${tail}`, { op: 'debootstrap', path: tmp });
    }
    await finish(host, tmp, { suite, uri, sshd, keys });
    if (await host.exists(dir)) await removeBuild(host, dir);
    const mv = await host.run(['mv', '-T', '--', tmp, dir]);
    if (mv.code !== 0) throw new EngineError('E_HOST', `rename ${tmp} to ${dir}: ${mv.stderr.trim()}`, { op: 'rename', path: dir });
  } catch (e) {
    await removeBuild(host, tmp).catch(() => undefined); // Best-effort: the error above is the one to report.
    throw e;
  }
  return { dir, suite, mirror: uri, packages };
}

/** DIR must be missing, empty, or (with --force) a root this builder made. */
async function checkTarget(host: Host, dir: string, force: boolean): Promise<void> {
  if (SYSTEM_DIRS.has(dir)) throw configError('dir', dir, `refusing to build a root filesystem in ${dir}`);
  const kind = await host.kind(dir);
  if (kind === undefined) return;
  if (kind !== 'dir') throw configError('dir', dir, `${dir} exists and is not a directory`);
  if ((await host.readdir(dir)).length === 0) return;
  if (!force) throw configError('dir', dir, `${dir} is not empty (--force replaces a root filesystem nanomega built there)`);
  if (!(await host.exists(join(dir, MARKER)))) {
    throw configError('dir', dir, `${dir} is not empty and not a root filesystem nanomega built (no /${MARKER}); remove it yourself`);
  }
}

async function readKeys(host: Host, path: string): Promise<string[]> {
  if ((await host.kind(path)) !== 'file') throw configError('ssh-key', path, `ssh key file ${path} does not exist`);
  const keys = publicKeyLines(await host.readFile(path));
  if (!keys) throw configError('ssh-key', path, `${path} is not an OpenSSH public key file (want lines like "ssh-ed25519 AAAA… comment")`);
  return keys;
}

async function aptSources(host: Host): Promise<AptSource[]> {
  const out: AptSource[] = [];
  if (await host.exists(SOURCES_LIST)) out.push(...parseSourcesList(await host.readFile(SOURCES_LIST)));
  for (const name of (await host.readdir(SOURCES_DIR).catch(() => [] as string[])).sort()) {
    if (name.endsWith('.list')) out.push(...parseSourcesList(await host.readFile(join(SOURCES_DIR, name))));
    if (name.endsWith('.sources')) out.push(...parseDeb822(await host.readFile(join(SOURCES_DIR, name))));
  }
  return out;
}

/** Turns debootstrap's tree into the containerfs: /init, sshd and dhclient settings, keys, no caches. */
async function finish(host: Host, root: string, o: { suite: string; uri: string; sshd: boolean; keys?: string[] }): Promise<void> {
  await host.createFile(join(root, 'init'), INIT, 0o755);
  const dhconf = join(root, 'etc/dhcp/dhclient.conf');
  await host.createFile(dhconf, (await host.readFile(dhconf).catch(() => '')) + DHCLIENT_TUNING, 0o644);
  if (o.sshd) {
    // The package's postinst made host keys; every container makes its own on first boot instead.
    for (const name of await host.readdir(join(root, 'etc/ssh'))) {
      if (name.startsWith('ssh_host_')) await host.removeTree(join(root, 'etc/ssh', name));
    }
    await host.mkdir(join(root, 'etc/ssh/sshd_config.d'), { recursive: true, mode: 0o755 });
    await host.createFile(join(root, 'etc/ssh/sshd_config.d/nanomega.conf'), SSHD_CONF, 0o644);
  }
  if (o.keys) {
    await host.mkdir(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
    await host.createFile(join(root, 'root/.ssh/authorized_keys'), o.keys.join('\n') + '\n', 0o600);
  }
  // apt-get clean, and the package lists (`apt-get update` inside brings them back): ~100 MB.
  for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    for (const name of await host.readdir(join(root, d)).catch(() => [] as string[])) {
      if (name !== 'partial' && name !== 'lock') await host.removeTree(join(root, d, name));
    }
  }
  await host.createFile(join(root, MARKER), `debian ${o.suite} from ${o.uri}, built by nanomega rootfs build debian\n`, 0o644);
}

/**
 * Removes a build tree, unmounting first whatever an interrupted debootstrap left mounted in it
 * (proc, sys, and /dev binds inside containers): deleting through a bind of the host's /dev would
 * delete host device nodes.
 */
async function removeBuild(host: Host, path: string): Promise<void> {
  const mounts = (await host.readFile('/proc/self/mountinfo'))
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === path || m.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    const r = await host.run(['umount', '--lazy', m]);
    if (r.code !== 0) throw new EngineError('E_HOST', `umount ${m}: ${r.stderr.trim()}`, { op: 'umount', path: m });
  }
  await host.removeTree(path);
}
