/**
 * cc responses on the host, laid out like minimega's: `<files>/miniccc_responses/<id>/<uuid>/` with
 * `stdout`, `stderr`, `exitcode` and received files under their path in the container
 * (`<files>/<namespace>/miniccc_responses/…` outside the default namespace).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { hostError } from '../errors.js';

export const RESPONSES_DIR = 'miniccc_responses';

export class ResponseFiles {
  /** `root`: the namespace's responses directory. */
  constructor(readonly root: string) {}

  static forNamespace(filesDir: string, ns: string, defaultNs: string): ResponseFiles {
    return new ResponseFiles(ns === defaultNs ? join(filesDir, RESPONSES_DIR) : join(filesDir, ns, RESPONSES_DIR));
  }

  dir(id: number, uuid?: string): string {
    return uuid === undefined ? join(this.root, String(id)) : join(this.root, String(id), uuid);
  }

  /** minimega writes stdout/stderr only when not empty, exitcode for commands run in the foreground. */
  async write(id: number, uuid: string, r: { stdout?: string; stderr?: string; code?: number }): Promise<void> {
    const dir = this.dir(id, uuid);
    try {
      await mkdir(dir, { recursive: true, mode: 0o770 });
      const writes: Promise<void>[] = [];
      if (r.code !== undefined) writes.push(writeFile(join(dir, 'exitcode'), String(r.code), { mode: 0o660 }));
      if (r.stdout) writes.push(writeFile(join(dir, 'stdout'), r.stdout, { mode: 0o660 }));
      if (r.stderr) writes.push(writeFile(join(dir, 'stderr'), r.stderr, { mode: 0o660 }));
      await Promise.all(writes);
    } catch (e) {
      throw hostError('write response', dir, e);
    }
  }

  /** Append to a client's stdout or stderr response (created when missing). */
  async append(id: number, uuid: string, name: 'stdout' | 'stderr'): Promise<WriteStream> {
    const dir = this.dir(id, uuid);
    try {
      await mkdir(dir, { recursive: true, mode: 0o770 });
    } catch (e) {
      throw hostError('mkdir', dir, e);
    }
    return createWriteStream(join(dir, name), { mode: 0o660, flags: 'a' });
  }

  /**
   * A stream for a file received from the container, at its container path under the client's
   * response directory. A path that would leave that directory is refused.
   */
  async receive(id: number, uuid: string, containerPath: string): Promise<{ path: string; stream: WriteStream }> {
    const dir = this.dir(id, uuid);
    const path = normalize(join(dir, containerPath));
    if (!path.startsWith(dir + sep) || containerPath.includes('\0')) throw new Error(`received file \`${containerPath}\` leaves ${dir}`);
    try {
      await mkdir(join(path, '..'), { recursive: true, mode: 0o770 });
    } catch (e) {
      throw hostError('mkdir', join(path, '..'), e);
    }
    return { path, stream: createWriteStream(path, { mode: 0o660, flags: 'w' }) };
  }

  async exitCode(id: number, uuid: string): Promise<number> {
    const path = join(this.dir(id, uuid), 'exitcode');
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(e.code === 'ENOENT' ? `stat ${path}: no such file or directory` : `read ${path}: ${e.code}`);
    });
    const code = Number(text.trim());
    if (!Number.isInteger(code)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(text.trim())}: invalid syntax`);
    return code;
  }

  /** One client's stdout/stderr/exit code (the GUI), '' when absent. */
  async read(id: number, uuid: string): Promise<{ stdout: string; stderr: string; code?: number }> {
    const dir = this.dir(id, uuid);
    const get = (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
    const code = await get('exitcode');
    return { stdout: await get('stdout'), stderr: await get('stderr'), ...(code.trim() ? { code: Number(code) } : {}) };
  }

  /**
   * minimega's getResponses: every file under `base` (all responses, or one command's) in lexical
   * walk order except exitcode, each as `<path relative to the responses root>:\n<data>\n`, or just
   * `<data>\n` when raw. Undefined when `base` does not exist.
   */
  async render(id: number | undefined, raw: boolean): Promise<string | undefined> {
    const base = id === undefined ? this.root : this.dir(id);
    let out = '';
    const walk = async (dir: string, rel: string): Promise<boolean> => {
      let names: string[];
      try {
        names = (await readdir(dir, { withFileTypes: true })).map((d) => (d.isDirectory() ? d.name + '/' : d.name));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
        throw hostError('read', dir, e);
      }
      // Go's filepath.Walk: lexical order of the names.
      for (const n of names.sort((a, b) => (a.replace(/\/$/, '') < b.replace(/\/$/, '') ? -1 : 1))) {
        const name = n.replace(/\/$/, '');
        const relPath = rel ? `${rel}/${name}` : name;
        if (n.endsWith('/')) await walk(join(dir, name), relPath);
        else if (name !== 'exitcode') {
          const data = await readFile(join(dir, name), 'utf8');
          out += raw ? `${data}\n` : `${relPath}:\n${data}\n`;
        }
      }
      return true;
    };
    const found = await walk(base, id === undefined ? '' : String(id));
    return found ? out : undefined;
  }

  async remove(id?: number): Promise<void> {
    const path = id === undefined ? this.root : this.dir(id);
    try {
      // A client may write a response while the tree goes (rmdir then meets a new entry: ENOTEMPTY):
      // fs.rm walks it again a few times.
      await rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch (e) {
      throw hostError('remove', path, e);
    }
  }
}
