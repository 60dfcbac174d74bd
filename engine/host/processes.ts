/**
 * The language's host effects (engine/language/host.ts) on Linux: Go's exec.LookPath, running programs
 * without a shell (argv as given, so quoting survives), background processes, bounded file reads for
 * `read`, and writes for `write`. Captured output is bounded so a chatty program cannot grow the daemon.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, open, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { LanguageHost, ProgramResult } from '../language/host.js';

/** Bytes of stdout and of stderr kept per program; the rest is read and dropped. */
export const MAX_CAPTURE_BYTES = 16 * 1024 * 1024;

/** Go's error strings for the errno values these calls meet. */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
}

/** Go's findExecutable: '' when runnable, else the reason. */
async function findExecutable(file: string): Promise<string> {
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    return `stat ${file}: ${errnoText(e)}`;
  }
  if (st.isDirectory()) return 'is a directory';
  try {
    await access(file, constants.X_OK);
    return '';
  } catch (e) {
    return errnoText(e);
  }
}

class Capture {
  text = '';
  private bytes = 0;
  add(d: Buffer): void {
    if (this.bytes >= MAX_CAPTURE_BYTES) return;
    const room = MAX_CAPTURE_BYTES - this.bytes;
    this.bytes += Math.min(room, d.length);
    this.text += d.subarray(0, room).toString();
  }
}

function startProgram(argv: readonly string[], env: Record<string, string>, onExit: (r: ProgramResult) => void): { pid: number } {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new Capture();
  const err = new Capture();
  let done = false;
  const finish = (r: ProgramResult) => {
    if (done) return;
    done = true;
    onExit(r);
  };
  child.stdout.on('data', (d: Buffer) => out.add(d));
  child.stderr.on('data', (d: Buffer) => err.add(d));
  child.on('error', (e) => finish({ code: -1, stdout: out.text, stderr: `${argv[0]}: ${errnoText(e)}` }));
  child.on('close', (code, signal) => finish({ code: code ?? -1, ...(signal ? { signal } : {}), stdout: out.text, stderr: err.text }));
  return { pid: child.pid ?? 0 };
}

export const linuxLanguageHost: LanguageHost = {
  async lookPath(file, path) {
    if (file.includes('/')) {
      const why = await findExecutable(file);
      if (why) throw new Error(`exec: ${JSON.stringify(file)}: ${why}`);
      return file;
    }
    for (const d of path.split(':')) {
      const candidate = join(d === '' ? '.' : d, file);
      if ((await findExecutable(candidate)) === '') {
        if (!isAbsolute(candidate)) throw new Error(`exec: ${JSON.stringify(file)}: cannot run executable found relative to current directory`);
        return candidate;
      }
    }
    throw new Error(`exec: ${JSON.stringify(file)}: executable file not found in $PATH`);
  },

  run(argv, env) {
    return new Promise((resolve) => startProgram(argv, env, resolve));
  },

  start: startProgram,

  async readText(path, maxBytes) {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw new Error(`open ${path}: ${errnoText(e)}`);
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new Error(`read ${path}: is a directory`);
      // Read one byte past the limit so a file (or device) that keeps going is refused, not truncated.
      const buf = Buffer.alloc(Math.min(maxBytes + 1, st.isFile() ? st.size + 1 : maxBytes + 1));
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n > maxBytes) throw new Error(`read ${path}: larger than ${maxBytes} bytes`);
        if (n === buf.length) break;
      }
      return buf.subarray(0, n).toString();
    } finally {
      await fh.close();
    }
  },

  async writeText(path, data) {
    try {
      await writeFile(path, data, { mode: 0o644 });
    } catch (e) {
      throw new Error(`open ${path}: ${errnoText(e)}`);
    }
  },

  async kind(path) {
    try {
      const st = await lstat(path);
      if (st.isSymbolicLink()) return 'symlink';
      if (st.isDirectory()) return 'dir';
      return st.isFile() ? 'file' : 'other';
    } catch {
      return undefined;
    }
  },
};
