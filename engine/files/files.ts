/**
 * minimega's `file` verb over the files directory (`<base>/files`, or `serve --filepath`), on one host:
 * iomeshage's local List and Delete, and Get, which on a one-host mesh has nothing to fetch. Paths are
 * taken relative to the files directory with `..` cleaned away before anything is touched (as
 * iomeshage's cleanPath), globs are Go's filepath.Match per element, and nothing reached through a
 * symlink that leads outside the files directory is listed, read or removed.
 */
import { posix } from 'node:path';
import type { FileChunk, FileEntry } from '../api/types.js';
import { EngineError, checkReadRange } from '../errors.js';
import type { Host } from '../host/host.js';
import { BadPattern, hasMeta, patternRegExp } from './match.js';

/** Entries one `file list` may return. */
export const FILE_LIST_MAX = 100_000;
/** Bytes one `file.read` may return (iomeshage's part size: `file stream` answers one response per part). */
export const FILE_PART_BYTES = 10 << 20;

function outside(op: string, path: string): EngineError {
  return new EngineError('E_PERM', `${op} ${path}: leads outside the files directory (through a symlink)`, { field: 'file', value: path });
}

export class FilesDir {
  private realBase: string | undefined;

  constructor(
    private readonly host: Host,
    readonly base: string,
  ) {}

  /** The absolute path `path` names inside the files directory, `..` cleaned away (iomeshage cleanPath). */
  clean(path: string): string {
    if (path.includes('\0')) throw new EngineError('E_CONFIG', 'file path must not contain NUL', { field: 'file' });
    return posix.join(this.base, posix.normalize(`/${path}`));
  }

  /** `file list [PATH] [recursive]`: a file, or a directory's entries (every file below it when recursive). */
  async list(path = '/', recursive = false): Promise<FileEntry[]> {
    const out: FileEntry[] = [];
    const add = (e: FileEntry) => {
      if (out.length >= FILE_LIST_MAX)
        throw new EngineError('E_CONFIG', `file list ${path}: more than ${FILE_LIST_MAX} entries`, { field: 'path', value: path });
      out.push(e);
    };
    for (const match of await this.glob(path, 'list')) {
      const st = await this.statInside(match);
      if (!st) {
        if (!hasMeta(path)) throw outside('list', path);
        continue;
      }
      if (st.kind !== 'dir') {
        add(this.entry(match, st));
      } else if (!recursive) {
        for (const name of (await this.host.readdir(match)).sort()) {
          const p = posix.join(match, name);
          const lst = await this.host.lstat(p);
          if (lst) add(this.entry(p, lst));
        }
      } else {
        await this.walk(match, add);
      }
    }
    return out;
  }

  /** `file get FILE`: on one host every file is here already; a name that matches nothing is minimega's error. */
  async get(path: string): Promise<void> {
    const matches = await this.glob(path, 'get');
    if (matches.length === 0) throw new EngineError('E_NOT_FOUND', `get ${path}: file not found`, { file: path });
  }

  /**
   * `file delete PATH`: remove what it names, directories with their contents; the files directory
   * itself is emptied, not removed. A symlink is removed itself, never what it points to.
   */
  async delete(path: string): Promise<void> {
    for (const match of await this.glob(path, 'delete')) {
      if (match === this.base) {
        for (const name of await this.host.readdir(match)) await this.host.removeTree(posix.join(match, name));
        continue;
      }
      // The directory holding it must be inside: `link/x` with link → /etc would remove /etc/x.
      if (!(await this.inside(posix.dirname(match)))) {
        if (!hasMeta(path)) throw outside('delete', path);
        continue;
      }
      await this.host.removeTree(match);
    }
  }

  /**
   * `file stream FILE`, one part: up to `length` bytes from `offset` of a regular file, as base64
   * (minimega streams a local file as it is; a glob or a directory is not a file to stream).
   */
  async read(path: string, offset: number, length: number): Promise<FileChunk> {
    checkReadRange(offset, length, FILE_PART_BYTES);
    if (hasMeta(path)) throw new EngineError('E_CONFIG', 'cannot stream a glob', { field: 'file', value: path });
    const full = this.clean(path);
    if (!(await this.host.lstat(full))) throw new EngineError('E_NOT_FOUND', `stream ${path}: file not found`, { file: path });
    const st = await this.statInside(full);
    if (!st) throw outside('stream', path);
    if (st.kind !== 'file') throw new EngineError('E_CONFIG', `stream ${path}: not a regular file`, { field: 'file', value: path });
    const { data, size } = await this.host.readBytes(await this.host.realpath(full), offset, length);
    return { data: data.toString('base64'), offset, size, eof: offset + data.length >= size };
  }

  private entry(path: string, st: { kind: string; size?: number; mtimeMs?: number }): FileEntry {
    return { dir: st.kind === 'dir', name: posix.relative(this.base, path), size: st.size ?? 0, modified: st.mtimeMs ?? 0 };
  }

  /** Files below `dir` (filepath.Walk: lexical order, symlinks reported, never followed). */
  private async walk(dir: string, add: (e: FileEntry) => void): Promise<void> {
    for (const name of (await this.host.readdir(dir)).sort()) {
      const p = posix.join(dir, name);
      const st = await this.host.lstat(p);
      if (!st) continue;
      if (st.kind === 'dir') await this.walk(p, add);
      else add(this.entry(p, st));
    }
  }

  /** stat (following a final symlink) of a path whose real location is inside; undefined otherwise. */
  private async statInside(path: string): Promise<{ kind: string; size?: number; mtimeMs?: number } | undefined> {
    if (!(await this.inside(path))) return undefined;
    return this.host.lstat(await this.host.realpath(path));
  }

  /** True when `path` exists and, every symlink resolved, is the files directory or below it. */
  private async inside(path: string): Promise<boolean> {
    this.realBase ??= await this.host.realpath(this.base);
    let real: string;
    try {
      real = await this.host.realpath(path);
    } catch {
      return false;
    }
    return real === this.realBase || real.startsWith(`${this.realBase}/`);
  }

  /**
   * The paths a (cleaned) pattern matches, sorted per level as Go's Glob; directories are only read
   * when they are inside. A path without wildcards is itself when it exists.
   */
  private async glob(path: string, op: string): Promise<string[]> {
    const full = this.clean(path);
    const parts = posix
      .relative(this.base, full)
      .split('/')
      .filter((p) => p !== '');
    let current = [this.base];
    for (const part of parts) {
      const next: string[] = [];
      if (!hasMeta(part)) {
        for (const dir of current) {
          const p = posix.join(dir, part);
          if ((await this.host.lstat(p)) !== undefined) next.push(p);
        }
      } else {
        let re: RegExp;
        try {
          re = patternRegExp(part);
        } catch (e) {
          if (e instanceof BadPattern) throw new EngineError('E_CONFIG', `${op} ${path}: ${e.message}`, { field: 'file', value: path });
          throw e;
        }
        for (const dir of current) {
          if ((await this.host.kind(await this.host.realpath(dir).catch(() => dir))) !== 'dir' || !(await this.inside(dir))) continue;
          for (const name of (await this.host.readdir(dir)).sort()) if (re.test(name)) next.push(posix.join(dir, name));
        }
      }
      current = next;
      if (current.length === 0) break;
    }
    return current;
  }
}
