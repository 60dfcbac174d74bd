// The effects engine/net needs: a narrow view of engine/host's Host, so the network's unit tests can
// script `ip` answers with a small fake.
import type { Host, RunResult } from '../host/host.js';
import { LinuxHost } from '../host/linux-host.js';

export type { RunResult };

export interface NetHost {
  /** Runs argv (no shell) with `input` on stdin; never throws for a nonzero exit. */
  run(argv: readonly string[], input?: string): Promise<RunResult>;
  readFile(path: string): Promise<string>;
  /** A plain write, for kernel knobs (procfs, sysfs). */
  writeFile(path: string, data: string): Promise<void>;
  /** write temp → fsync → rename → fsync dir. */
  writeFileAtomic(path: string, data: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  /** Entries of a directory; [] when it does not exist. */
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** Target of a symlink; undefined when there is none. */
  readlink(path: string): Promise<string | undefined>;
}

/** engine/net's narrow view of the engine's one effects seam. */
export function netHostOf(host: Host): NetHost {
  return {
    run: (argv, input) => host.run(argv, { input: input ?? '' }),
    readFile: (path) => host.readFile(path),
    writeFile: (path, data) => host.writeFile(path, data),
    writeFileAtomic: (path, data) => host.writeFileAtomic(path, data),
    mkdirp: (path) => host.mkdir(path, { recursive: true, mode: 0o700 }),
    readdir: async (path) => ((await host.kind(path)) === 'dir' ? host.readdir(path) : []),
    exists: (path) => host.exists(path),
    readlink: (path) => host.readlink(path).catch(() => undefined),
  };
}

/** The real machine, through LinuxHost. */
export function linuxNetHost(): NetHost {
  return netHostOf(new LinuxHost());
}
