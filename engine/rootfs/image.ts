/**
 * OCI and Docker images as container filesystems. skopeo does the transport (a docker-archive or
 * oci-archive tarball, or a registry) into a private OCI layout; umoci applies the layers (whiteouts,
 * hard links, ownership, xattrs — every entry resolved inside the root, so `../` and symlinks in a
 * hostile layer cannot reach outside) into DIR/rootfs; the image's config (entrypoint, command,
 * environment, working directory) is kept beside it in DIR/image.json. `vm config filesystem DIR`
 * then runs DIR/rootfs with those defaults.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';

/** DIR/image.json: what the engine takes from an image's config. */
export const IMAGE_FILE = 'image.json';
/** DIR/rootfs: the unpacked image. */
export const IMAGE_ROOTFS = 'rootfs';
/** The host's image trust policy, used when it exists (signature requirements an admin set apply). */
const HOST_POLICY = '/etc/containers/policy.json';

/** The defaults an image gives a container (OCI image config: Entrypoint + Cmd, Env, WorkingDir). */
export interface ImageDefaults {
  /** Entrypoint followed by Cmd; empty when the image names neither. */
  init: string[];
  env: string[];
  /** Absolute, or '' for /. */
  workdir: string;
}

export interface ImageRecord extends ImageDefaults {
  /** Where it came from: `docker-archive:FILE`, `oci-archive:FILE` or `docker://REF`. */
  source: string;
  /** The image config's digest (sha256:…), as skopeo reports it. */
  digest: string;
  /** Device nodes removed from the layers (the container's /dev is its own). */
  removedDevices: string[];
}

export type ImageSource = { kind: 'archive'; file: string } | { kind: 'registry'; ref: string; insecure: boolean };

/** A tarball's transport: an OCI archive has `oci-layout` at its top, a Docker archive `manifest.json`. */
async function archiveTransport(host: Host, file: string): Promise<'oci-archive' | 'docker-archive'> {
  const list = await host.run(['tar', '-tf', file]);
  if (list.code !== 0) {
    throw new EngineError('E_CONFIG', `image: \`${file}\` is not a readable tar archive: ${list.stderr.trim()}`, { field: 'file', value: file });
  }
  const names = new Set(list.stdout.split('\n').map((n) => n.replace(/^\.\//, '')));
  if (names.has('oci-layout')) return 'oci-archive';
  if (names.has('manifest.json')) return 'docker-archive';
  throw new EngineError('E_CONFIG', `image: \`${file}\` is neither an OCI archive (no oci-layout) nor a Docker archive (no manifest.json)`, {
    field: 'file',
    value: file,
  });
}

/**
 * A registry reference (`[host[:port]/]name[/name…][:tag][@sha256:…]`, the distribution reference grammar)
 * as skopeo's docker transport wants it.
 */
const REFERENCE_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export function registryRef(ref: string): string {
  const bare = ref.replace(/^docker:\/\//, '');
  if (!REFERENCE_RE.test(bare)) {
    throw new EngineError('E_CONFIG', `image: invalid reference \`${ref}\` (want host[:port]/name[:tag] or name@sha256:…)`, { field: 'ref', value: ref });
  }
  return `docker://${bare}`;
}

function unquote(s: string): string[] {
  return s.split('\n').filter(Boolean);
}

/**
 * Import or pull an image into DIR (DIR/rootfs + DIR/image.json). DIR must not exist or be empty unless
 * `force` (then it is replaced). The rootfs is unpacked into a fresh directory next to DIR and renamed
 * into place, so a failure leaves nothing behind. DIR is 0700: an image may carry setuid files.
 */
export async function fetchImage(host: Host, source: ImageSource, dir: string, opts: { force?: boolean } = {}): Promise<ImageRecord> {
  if (!dir.startsWith('/')) throw new EngineError('E_CONFIG', `image: DIR must be absolute, got \`${dir}\``, { field: 'dir', value: dir });
  const existing = await host.kind(dir);
  if (existing && existing !== 'dir') throw new EngineError('E_EXISTS', `image: \`${dir}\` exists and is not a directory`, { path: dir });
  if (existing === 'dir' && (await host.readdir(dir)).length > 0 && !opts.force) {
    throw new EngineError('E_EXISTS', `image: \`${dir}\` is not empty (--force replaces it)`, { path: dir });
  }
  for (const tool of ['skopeo', 'umoci']) {
    if ((await host.run(['sh', '-c', `command -v ${tool}`])).code !== 0) {
      throw new EngineError('E_NOT_FOUND', `image: ${tool} is missing: sudo apt-get install ${tool}`, { path: tool });
    }
  }
  let src: string;
  const copyFlags: string[] = [];
  if (source.kind === 'archive') {
    if ((await host.kind(source.file)) !== 'file') {
      throw new EngineError('E_NOT_FOUND', `image: \`${source.file}\` does not exist or is not a file`, { field: 'file', value: source.file });
    }
    src = `${await archiveTransport(host, source.file)}:${source.file}`;
  } else {
    src = registryRef(source.ref);
    if (source.insecure) copyFlags.push('--src-tls-verify=false');
  }

  const work = `${dir.replace(/\/+$/, '')}.nm-image-${randomBytes(6).toString('hex')}`;
  await host.mkdir(work, { mode: 0o700 });
  try {
    const layout = join(work, 'layout');
    const policy = (await host.exists(HOST_POLICY)) ? [] : ['--insecure-policy'];
    const copy = await host.run(['skopeo', ...policy, 'copy', '--quiet', ...copyFlags, src, `oci:${layout}:image`]);
    if (copy.code !== 0) throw new EngineError('E_HOST', `image: skopeo copy ${src}: ${copy.stderr.trim() || copy.stdout.trim()}`, { path: src });
    const config = await host.run(['skopeo', ...policy, 'inspect', '--config', `oci:${layout}:image`]);
    if (config.code !== 0) throw new EngineError('E_HOST', `image: skopeo inspect ${src}: ${config.stderr.trim()}`, { path: src });
    const digest = await host.run(['skopeo', ...policy, 'inspect', '--format', '{{.Digest}}', `oci:${layout}:image`]);
    const defaults = imageDefaults(config.stdout, src);

    const rootfs = join(work, IMAGE_ROOTFS);
    const unpack = await host.run(['umoci', 'raw', 'unpack', '--image', `${layout}:image`, rootfs]);
    if (unpack.code !== 0)
      throw new EngineError('E_CONFIG', `image: umoci unpack of ${src} refused: ${unpack.stderr.trim() || unpack.stdout.trim()}`, { path: src });
    // Device nodes in an image are a way to a host disk for anyone who can reach the tree; the
    // container gets a fresh /dev anyway.
    const devices = await host.run(['find', rootfs, '-xdev', '(', '-type', 'b', '-o', '-type', 'c', ')', '-print', '-delete']);
    if (devices.code !== 0) throw new EngineError('E_HOST', `image: removing device nodes: ${devices.stderr.trim()}`, { path: rootfs });
    const removedDevices = unquote(devices.stdout).map((p) => p.slice(rootfs.length) || '/');

    const record: ImageRecord = { ...defaults, source: src, digest: digest.stdout.trim(), removedDevices };
    await host.createFile(join(work, IMAGE_FILE), JSON.stringify(record, null, 2) + '\n', 0o644);
    await host.removeTree(layout);
    // Into place: DIR's old content (with --force) goes only once the new one is complete; rename(2)
    // replaces an empty directory.
    if (existing === 'dir' && (await host.readdir(dir)).length > 0) await host.removeTree(dir);
    const mv = await host.run(['mv', '-T', work, dir]);
    if (mv.code !== 0) throw new EngineError('E_HOST', `image: rename ${work} to ${dir}: ${mv.stderr.trim()}`, { path: dir });
    return record;
  } catch (e) {
    await host.removeTree(work).catch(() => undefined); // Best-effort: the error above is the one to report.
    throw e;
  }
}

/** The parts of an OCI image config (`skopeo inspect --config`) a container takes as defaults. */
export function imageDefaults(json: string, what: string): ImageDefaults {
  let parsed: { config?: { Entrypoint?: unknown; Cmd?: unknown; Env?: unknown; WorkingDir?: unknown } };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch {
    throw new EngineError('E_CONFIG', `image: ${what} has an unreadable config`, { path: what });
  }
  const strings = (v: unknown, field: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.includes('\0'))) {
      throw new EngineError('E_CONFIG', `image: ${what}: config ${field} is not a list of strings`, { field, value: String(v) });
    }
    return v as string[];
  };
  const c = parsed.config ?? {};
  const env = strings(c.Env, 'Env').filter((e) => /^[^=\s]+=/.test(e));
  const workdir = typeof c.WorkingDir === 'string' ? c.WorkingDir : '';
  if (workdir && (!workdir.startsWith('/') || workdir.includes('\0'))) {
    throw new EngineError('E_CONFIG', `image: ${what}: WorkingDir \`${workdir}\` is not absolute`, { field: 'WorkingDir', value: workdir });
  }
  return { init: [...strings(c.Entrypoint, 'Entrypoint'), ...strings(c.Cmd, 'Cmd')], env, workdir };
}

/**
 * `vm config filesystem DIR` where DIR holds an imported image: its rootfs and defaults. Undefined for
 * a plain root filesystem directory.
 */
export async function readImage(host: Host, dir: string): Promise<{ rootfs: string; image: ImageDefaults } | undefined> {
  const file = join(dir, IMAGE_FILE);
  if ((await host.kind(file)) !== 'file' || (await host.kind(join(dir, IMAGE_ROOTFS))) !== 'dir') return undefined;
  let rec: ImageRecord;
  try {
    rec = JSON.parse(await host.readFile(file)) as ImageRecord;
  } catch {
    throw new EngineError('E_CONFIG', `filesystem \`${dir}\`: ${IMAGE_FILE} is unreadable`, { field: 'filesystem', value: dir });
  }
  return { rootfs: join(dir, IMAGE_ROOTFS), image: { init: rec.init ?? [], env: rec.env ?? [], workdir: rec.workdir ?? '' } };
}

/** init's environment: ours, with the image's variables replacing ours of the same name. */
export function mergeEnv(base: readonly string[], image: readonly string[]): string[] {
  const key = (e: string) => e.slice(0, e.indexOf('='));
  const theirs = new Set(image.map(key));
  return [...base.filter((e) => !theirs.has(key(e))), ...image];
}
