// The effects engine/net needs. engine/host's Host has no stdin-fed run(), which `ip -batch -` needs,
// so this module carries its own narrow seam; fold it into engine/host when Host grows `run(argv, input)`.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { hostError } from '../errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NetHost {
  /** Runs argv (no shell) with `input` on stdin; never throws for a nonzero exit. */
  run(argv: readonly string[], input?: string): Promise<RunResult>;
  readFile(path: string): Promise<string>;
  /** write temp → fsync → rename → fsync dir. */
  writeFileAtomic(path: string, data: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  /** Entries of a directory; [] when it does not exist. */
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** Target of a symlink; undefined when there is none. */
  readlink(path: string): Promise<string | undefined>;
}

export class LinuxNetHost implements NetHost {
  run(argv: readonly string[], input?: string): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const [cmd, ...args] = argv;
      const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => reject(hostError('spawn', cmd!, e)));
      child.on('close', (code, signal) =>
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
      // Best-effort: a child that exits early closes stdin; its exit code carries the failure.
      child.stdin.on('error', () => {});
      child.stdin.end(input ?? '');
    });
  }

  async readFile(path: string): Promise<string> {
    try {
      return await fs.readFile(path, 'utf8');
    } catch (e) {
      throw hostError('read', path, e);
    }
  }

  async writeFileAtomic(path: string, data: string): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      const fh = await fs.open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, path);
      const dir = await fs.open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (e) {
      throw hostError('write', path, e);
    }
  }

  async mkdirp(path: string): Promise<void> {
    try {
      await fs.mkdir(path, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw hostError('mkdir', path, e);
    }
  }

  async readdir(path: string): Promise<string[]> {
    try {
      return await fs.readdir(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw hostError('readdir', path, e);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.lstat(path);
      return true;
    } catch {
      return false;
    }
  }

  async readlink(path: string): Promise<string | undefined> {
    try {
      return await fs.readlink(path);
    } catch {
      return undefined;
    }
  }
}
