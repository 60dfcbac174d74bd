import { spawn } from 'node:child_process';
import * as fsSync from 'node:fs';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError, hostError } from '../errors.js';
import type { Host, HostStat, RunResult } from './host.js';
import { runOnPaths, TurnBatch, type PathRequest } from './turn-batch.js';

let tempCounter = 0;

/** statfs f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
/** Device number → is it a tmpfs. A base directory lives on one device; this stays tiny. */
const tmpfsDevices = new Map<number, boolean>();

/**
 * True when `dir` is on a tmpfs (the default base /run/nanomega is on systemd hosts). There a file
 * has no backing store: fsync is a no-op, and a rename is all a durable replace needs; a
 * synchronous write costs a few µs instead of eight trips through libuv's thread pool.
 */
function onTmpfs(dir: string): boolean {
  const dev = fsSync.statSync(dir).dev;
  let known = tmpfsDevices.get(dev);
  if (known === undefined) {
    known = fsSync.statfsSync(dir).type === TMPFS_MAGIC;
    tmpfsDevices.set(dev, known);
  }
  return known;
}

/** Writes and fsyncs a file, renames it into place and fsyncs the directory, so a crash leaves old or new. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  try {
    if (onTmpfs(dirname(path))) {
      fsSync.writeFileSync(tmp, data, { mode: 0o600 });
      fsSync.renameSync(tmp, path);
      return;
    }
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
    const dir = await fs.open(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined); // Best-effort: the temp name is ours.
    throw hostError('write', path, e);
  }
}

/**
 * cgroupfs, procfs and sysfs never wait for a disk: a synchronous call there costs a few µs, while
 * a trip through libuv's 4-thread pool costs tens; a launch wave makes thousands of these calls.
 */
function isPseudoFs(path: string): boolean {
  return path.startsWith('/sys/') || path.startsWith('/proc/');
}

/** Trees removed in one turn from which a batch goes to `rm` processes; paths per process; processes at once. */
const TREE_BATCH = 8;
const TREE_CHUNK = 256;
const TREE_PARALLEL = 4;

export class LinuxHost implements Host {
  async readFile(path: string): Promise<string> {
    try {
      if (isPseudoFs(path)) return fsSync.readFileSync(path, 'utf8');
      return await fs.readFile(path, 'utf8');
    } catch (e) {
      throw hostError('read', path, e);
    }
  }

  async appendFile(path: string, data: string): Promise<void> {
    try {
      const fh = await fs.open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o640);
      try {
        await fh.write(data);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw hostError('append', path, e);
    }
  }

  async writeFile(path: string, data: string): Promise<void> {
    try {
      // 'r+' neither creates nor truncates: cgroupfs files must already exist.
      if (isPseudoFs(path)) {
        const fd = fsSync.openSync(path, 'r+');
        try {
          fsSync.writeSync(fd, data);
        } finally {
          fsSync.closeSync(fd);
        }
        return;
      }
      const fh = await fs.open(path, 'r+');
      try {
        await fh.write(data);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw hostError('write', path, e);
    }
  }

  writeFileAtomic(path: string, data: string): Promise<void> {
    return writeFileAtomic(path, data);
  }

  async createFile(path: string, data: string, mode = 0o644): Promise<void> {
    try {
      await fs.writeFile(path, data, { mode });
      await fs.chmod(path, mode);
    } catch (e) {
      throw hostError('create', path, e);
    }
  }

  async symlink(target: string, path: string): Promise<void> {
    try {
      await fs.symlink(target, path);
    } catch (e) {
      throw hostError('symlink', path, e);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await fs.rename(from, to);
    } catch (e) {
      throw hostError('rename', `${from} -> ${to}`, e);
    }
  }

  async copyFile(src: string, dst: string, mode?: number): Promise<void> {
    try {
      await fs.copyFile(src, dst);
      if (mode !== undefined) await fs.chmod(dst, mode);
    } catch (e) {
      throw hostError('copy', `${src} -> ${dst}`, e);
    }
  }

  async readlink(path: string): Promise<string> {
    try {
      return await fs.readlink(path);
    } catch (e) {
      throw hostError('readlink', path, e);
    }
  }

  async kind(path: string): Promise<'file' | 'dir' | 'symlink' | 'other' | undefined> {
    try {
      const st = await fs.lstat(path);
      return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
    } catch {
      return undefined;
    }
  }

  async readBytes(path: string, offset: number, length: number): Promise<{ data: Buffer; size: number }> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(path, fsSync.constants.O_RDONLY | fsSync.constants.O_NOFOLLOW | fsSync.constants.O_NONBLOCK);
    } catch (e) {
      throw hostError('open', path, e);
    }
    try {
      // fstat of the descriptor read from: a FIFO or device would block or never end.
      const st = await fh.stat();
      if (!st.isFile()) throw new EngineError('E_CONFIG', `read ${path}: not a regular file`, { path });
      const data = Buffer.alloc(Math.max(0, Math.min(length, st.size - offset)));
      const { bytesRead } = data.length ? await fh.read(data, 0, data.length, offset) : { bytesRead: 0 };
      return { data: data.subarray(0, bytesRead), size: st.size };
    } catch (e) {
      throw e instanceof EngineError ? e : hostError('read', path, e);
    } finally {
      await fh.close();
    }
  }

  async lstat(path: string): Promise<HostStat | undefined> {
    try {
      const st = await fs.lstat(path);
      const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
      return { kind, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw hostError('lstat', path, e);
    }
  }

  async realpath(path: string): Promise<string> {
    try {
      return await fs.realpath(path);
    } catch (e) {
      throw hostError('realpath', path, e);
    }
  }

  async chmod(path: string, mode: number): Promise<void> {
    try {
      await fs.chmod(path, mode);
    } catch (e) {
      throw hostError('chmod', path, e);
    }
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    try {
      await fs.lchown(path, uid, gid);
    } catch (e) {
      throw hostError('chown', path, e);
    }
  }

  async mkdir(path: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    try {
      if (isPseudoFs(path)) fsSync.mkdirSync(path, opts);
      else await fs.mkdir(path, opts);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && !opts.recursive) throw hostError('mkdir', path, e);
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw hostError('mkdir', path, e);
    }
  }

  async rmdir(path: string): Promise<void> {
    try {
      if (isPseudoFs(path)) fsSync.rmdirSync(path);
      else await fs.rmdir(path);
    } catch (e) {
      throw hostError('rmdir', path, e);
    }
  }

  /**
   * Trees asked for in the same turn of the event loop go together: from TREE_BATCH on, to `rm -rf`
   * processes side by side (a flush of a thousand instance directories: ~45 ms and almost no daemon
   * CPU, against ~150 ms and twice that in CPU through libuv's pool), never crossing into a mounted
   * filesystem; fewer, one by one through fs.rm.
   */
  removeTree(path: string): Promise<void> {
    return this.trees.add(path);
  }

  private readonly trees = new TurnBatch((batch) => this.removeTrees(batch));

  private removeTrees(batch: PathRequest[]): void {
    if (batch.length < TREE_BATCH) {
      for (const t of batch) fs.rm(t.path, { recursive: true, force: true }).then(t.resolve, (e: unknown) => t.reject(hostError('remove', t.path, e)));
      return;
    }
    runOnPaths(this, ['rm', '-rf', '--one-file-system', '--'], batch, TREE_CHUNK, TREE_PARALLEL)
      .then(async (why) => {
        for (const t of batch) {
          // A failure fails the whole batch: see which are still there.
          if (why && (await this.kind(t.path))) t.reject(hostError('remove', t.path, new Error(why)));
          else t.resolve();
        }
      })
      .catch((e: unknown) => batch.forEach((t) => t.reject(hostError('remove', t.path, e))));
  }

  async readdir(path: string): Promise<string[]> {
    try {
      if (isPseudoFs(path)) return fsSync.readdirSync(path);
      return await fs.readdir(path);
    } catch (e) {
      throw hostError('readdir', path, e);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      if (isPseudoFs(path)) return fsSync.existsSync(path);
      await fs.lstat(path);
      return true;
    } catch {
      return false;
    }
  }

  kill(pid: number, signal: NodeJS.Signals | number): boolean {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  run(argv: readonly string[], opts: { input?: string } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => reject(hostError('exec', argv[0]!, e)));
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
      if (child.stdin) {
        child.stdin.on('error', () => undefined); // EPIPE when the program exits without reading; its status tells
        child.stdin.end(opts.input);
      }
    });
  }
}
