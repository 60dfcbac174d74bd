/** Every effect on the machine goes through a Host, so concern modules can be tested with FakeHost. */
export interface Host {
  readFile(path: string): Promise<string>;
  /**
   * Up to `length` bytes of a regular file from `offset` (fewer at its end), and its size then; never
   * through a symlink at the last component (`file stream`).
   */
  readBytes(path: string, offset: number, length: number): Promise<{ data: Buffer; size: number }>;
  /** Write an existing file without creating or truncating it (cgroupfs, procfs). */
  writeFile(path: string, data: string): Promise<void>;
  /** Durable replace: write a temp file, fsync, rename over `path`, fsync the directory. */
  writeFileAtomic(path: string, data: string): Promise<void>;
  /** Append to a regular file, made (0640) when missing; never through a symlink (log files). */
  appendFile(path: string, data: string): Promise<void>;
  /** Create or replace a regular file with `mode` (generated rootfs files, instance files). */
  createFile(path: string, data: string, mode?: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** rename(2): atomic within a filesystem; never follows a symlink at either path's last component. */
  rename(from: string, to: string): Promise<void>;
  readlink(path: string): Promise<string>;
  copyFile(src: string, dst: string, mode?: number): Promise<void>;
  /** lstat-based kind of a path, or undefined when it does not exist. */
  kind(path: string): Promise<'file' | 'dir' | 'symlink' | 'other' | undefined>;
  /** lstat of a path (a final symlink is not followed), or undefined when it does not exist. */
  lstat(path: string): Promise<HostStat | undefined>;
  /** The path with every symlink resolved (realpath(3)). */
  realpath(path: string): Promise<string>;
  chmod(path: string, mode: number): Promise<void>;
  /** lchown(2): the path itself, a symlink never followed. */
  chown(path: string, uid: number, gid: number): Promise<void>;
  mkdir(path: string, opts?: { recursive?: boolean; mode?: number }): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** Remove a tree (instance directories). Never follows symlinks out of it. */
  removeTree(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** Send a signal; false when the process no longer exists. */
  kill(pid: number, signal: NodeJS.Signals | number): boolean;
  run(argv: readonly string[], opts?: { input?: string }): Promise<RunResult>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostStat {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  uid: number;
  gid: number;
  /** Permission bits with setuid/setgid/sticky (st_mode & 07777). */
  mode: number;
  dev: number;
  ino: number;
  /** Bytes (st_size) and last modification (st_mtime, ms): `file list`. */
  size?: number;
  mtimeMs?: number;
}
