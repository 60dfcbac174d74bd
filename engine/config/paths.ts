/**
 * Host paths of `vm config`: minimega's relative paths (checkPath) and the preinit file's checks.
 *
 * Relative `filesystem`, `preinit` and volume host paths resolve under the files directory
 * (`<base>/files`, `nanomega serve --filepath DIR`), as minimega's `-filepath`; they are stored and
 * printed absolute.
 *
 * preinit runs with every privilege (shim/src/preinit.c), so it must be a file only root can change:
 * no symlink anywhere in its path (give the real path), every directory on the way root-owned and not
 * writable by group or others (a sticky directory such as /tmp is fine: only an entry's owner may
 * rename or remove it), the file itself a root-owned regular file, not group/world-writable, with an
 * execute bit, and nowhere a container can write (the engine's base directory, a read-write volume
 * source, a filesystem run with snapshot false). The shim checks the same again when it runs it.
 */
import { join } from 'node:path';
import type { ContainerConfig } from '../api/types.js';
import { configError } from '../errors.js';
import type { Host, HostStat } from '../host/host.js';

/** The files directory of the default base (/run/nanomega). */
export const DEFAULT_FILES_DIR = '/run/nanomega/files';

/** minimega's checkPath: a relative path is relative to the files directory ('' stays ''). */
export function resolveHostPath(p: string, filesDir: string): string {
  if (p === '' || p.startsWith('/') || filesDir === '') return p;
  return join(filesDir, p);
}

/** `config` with its relative host paths resolved (idempotent). */
export function resolveConfigPaths(config: ContainerConfig, filesDir: string): ContainerConfig {
  const volumes: Record<string, string> = {};
  for (const [inside, host] of Object.entries(config.volumes)) volumes[inside] = resolveHostPath(host, filesDir);
  return {
    ...config,
    filesystem: resolveHostPath(config.filesystem, filesDir),
    preinit: resolveHostPath(config.preinit, filesDir),
    volumes,
  };
}

/** A host directory (or file) containers can write: a preinit must not be in it. */
export interface WritablePlace {
  path: string;
}

/** The places `config` itself lets its container write. */
export function writablePlaces(config: ContainerConfig): WritablePlace[] {
  const out = Object.values(config.volumes).map((path) => ({ path }));
  if (!config.snapshot && config.filesystem) out.push({ path: config.filesystem });
  return out;
}

const preinitError = (path: string, why: string) => configError('preinit', path, `preinit \`${path}\` ${why}`);

/** Throws a configError naming the path and the reason unless `path` may run as preinit. */
export async function checkPreinit(host: Host, path: string, forbidden: readonly WritablePlace[]): Promise<void> {
  if (!path.startsWith('/')) throw preinitError(path, 'is not an absolute host path');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw preinitError(path, 'must not contain `..`');
  const places: { st: HostStat; path: string }[] = [];
  for (const f of forbidden) {
    const st = await host.lstat(f.path);
    if (st) places.push({ st, path: f.path });
  }
  let prefix = '/';
  for (let i = 0; ; i++) {
    const st = await host.lstat(prefix);
    if (!st) throw preinitError(path, `does not exist (no \`${prefix}\`)`);
    if (st.kind === 'symlink') throw preinitError(path, `has a symlink in its path: \`${prefix}\` (give the real path)`);
    const inside = places.find((p) => p.st.dev === st.dev && p.st.ino === st.ino);
    if (inside) throw preinitError(path, `is inside \`${inside.path}\`, which a container can write`);
    if (i === parts.length) {
      if (st.kind !== 'file') throw preinitError(path, 'is not a regular file');
      if (st.uid !== 0) throw preinitError(path, `is owned by uid ${st.uid}, not root`);
      if (st.mode & 0o022) throw preinitError(path, `is writable by group or others (mode ${octal(st.mode)})`);
      if (!(st.mode & 0o111)) throw preinitError(path, `is not executable (mode ${octal(st.mode)})`);
      return;
    }
    if (st.kind !== 'dir') throw preinitError(path, `has a non-directory in its path: \`${prefix}\``);
    if (st.uid !== 0) throw preinitError(path, `is in directory \`${prefix}\`, owned by uid ${st.uid}, not root`);
    if (st.mode & 0o022 && !(st.mode & 0o1000)) {
      throw preinitError(path, `is in directory \`${prefix}\`, writable by group or others (mode ${octal(st.mode)})`);
    }
    prefix = join(prefix, parts[i]!);
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
