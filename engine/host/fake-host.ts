import { dirname } from 'node:path';
import { hostError } from '../errors.js';
import type { Host, HostStat, RunResult } from './host.js';

export type HostCall =
  | { op: 'readFile'; path: string }
  | { op: 'writeFile' | 'writeFileAtomic' | 'appendFile'; path: string; data: string }
  | { op: 'mkdir' | 'rmdir' | 'removeTree' | 'readdir'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'chown'; path: string; uid: number; gid: number }
  | { op: 'kill'; pid: number; signal: NodeJS.Signals | number }
  | { op: 'run'; argv: readonly string[]; input?: string };

function enoent(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
}

/** A recording in-memory host for unit tests of pure logic (never the only test of a kernel feature). */
export class FakeHost implements Host {
  readonly calls: HostCall[] = [];
  readonly dirs = new Set<string>(['/']);
  /** Hook to react to writes (e.g. make cgroup.events say "frozen 1" after a freeze). */
  onWrite?: (path: string, data: string) => void;
  runResult: (argv: readonly string[]) => RunResult = () => ({ code: 0, stdout: '', stderr: '' });

  constructor(readonly files = new Map<string, string>()) {
    for (const p of files.keys()) this.addParents(p);
  }

  private addParents(p: string): void {
    for (let d = dirname(p); !this.dirs.has(d); d = dirname(d)) this.dirs.add(d);
  }

  async readFile(path: string): Promise<string> {
    this.calls.push({ op: 'readFile', path });
    const data = this.files.get(path);
    if (data === undefined) throw hostError('read', path, enoent());
    return data;
  }

  async readBytes(path: string, offset: number, length: number): Promise<{ data: Buffer; size: number }> {
    this.calls.push({ op: 'readFile', path });
    const text = this.files.get(path);
    if (text === undefined) throw hostError('open', path, enoent());
    const all = Buffer.from(text);
    return { data: all.subarray(offset, offset + length), size: all.length };
  }

  async writeFile(path: string, data: string): Promise<void> {
    this.calls.push({ op: 'writeFile', path, data });
    if (!this.files.has(path)) throw hostError('write', path, enoent());
    this.files.set(path, data);
    this.onWrite?.(path, data);
  }

  async writeFileAtomic(path: string, data: string): Promise<void> {
    this.calls.push({ op: 'writeFileAtomic', path, data });
    this.files.set(path, data);
    this.addParents(path);
  }

  async appendFile(path: string, data: string): Promise<void> {
    this.calls.push({ op: 'appendFile', path, data });
    this.files.set(path, (this.files.get(path) ?? '') + data);
    this.addParents(path);
  }

  readonly links = new Map<string, string>();

  async createFile(path: string, data: string, mode?: number): Promise<void> {
    this.calls.push({ op: 'writeFileAtomic', path, data });
    this.files.set(path, data);
    if (mode !== undefined) this.meta.set(path, { ...this.meta.get(path), mode });
    this.addParents(path);
  }

  async symlink(target: string, path: string): Promise<void> {
    this.links.set(path, target);
  }

  async rename(from: string, to: string): Promise<void> {
    this.calls.push({ op: 'rename', from, to });
    const moved = (p: string) => (p === from ? to : p.startsWith(from + '/') ? to + p.slice(from.length) : p);
    if (!this.files.has(from) && !this.dirs.has(from) && !this.links.has(from)) throw hostError('rename', `${from} -> ${to}`, enoent());
    for (const [p, d] of [...this.files]) if (moved(p) !== p) (this.files.delete(p), this.files.set(moved(p), d));
    for (const [p, t] of [...this.links]) if (moved(p) !== p) (this.links.delete(p), this.links.set(moved(p), t));
    for (const p of [...this.dirs]) if (moved(p) !== p) (this.dirs.delete(p), this.dirs.add(moved(p)));
    this.addParents(to);
  }

  async readlink(path: string): Promise<string> {
    const t = this.links.get(path);
    if (t === undefined) throw hostError('readlink', path, enoent());
    return t;
  }

  async copyFile(src: string, dst: string): Promise<void> {
    this.files.set(dst, this.files.get(src) ?? '');
  }

  async kind(path: string): Promise<'file' | 'dir' | 'symlink' | 'other' | undefined> {
    if (this.links.has(path)) return 'symlink';
    if (this.files.has(path)) return 'file';
    if (this.dirs.has(path)) return 'dir';
    return undefined;
  }

  /** Owner and mode per path (default root and 0755 for directories, 0644 for files). */
  readonly meta = new Map<string, { uid?: number; gid?: number; mode?: number }>();

  async lstat(path: string): Promise<HostStat | undefined> {
    const kind = await this.kind(path);
    if (kind === undefined) return undefined;
    const m = this.meta.get(path) ?? {};
    const ino = [...this.dirs, ...this.files.keys(), ...this.links.keys()].indexOf(path) + 1;
    return { kind, uid: m.uid ?? 0, gid: m.gid ?? 0, mode: m.mode ?? (kind === 'dir' ? 0o755 : kind === 'symlink' ? 0o777 : 0o644), dev: 1, ino };
  }

  async realpath(path: string): Promise<string> {
    return path;
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.calls.push({ op: 'chmod', path, mode });
    this.meta.set(path, { ...this.meta.get(path), mode });
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    this.calls.push({ op: 'chown', path, uid, gid });
    this.meta.set(path, { ...this.meta.get(path), uid, gid });
  }

  async mkdir(path: string): Promise<void> {
    this.calls.push({ op: 'mkdir', path });
    this.dirs.add(path);
    this.addParents(path);
  }

  async rmdir(path: string): Promise<void> {
    this.calls.push({ op: 'rmdir', path });
    if (!this.dirs.delete(path)) throw hostError('rmdir', path, enoent());
    for (const f of [...this.files.keys()]) if (dirname(f) === path) this.files.delete(f);
  }

  async removeTree(path: string): Promise<void> {
    this.calls.push({ op: 'removeTree', path });
    this.files.delete(path);
    for (const f of [...this.files.keys()]) if (f.startsWith(path + '/')) this.files.delete(f);
    for (const d of [...this.dirs]) if (d === path || d.startsWith(path + '/')) this.dirs.delete(d);
    for (const l of [...this.links.keys()]) if (l === path || l.startsWith(path + '/')) this.links.delete(l);
  }

  async readdir(path: string): Promise<string[]> {
    this.calls.push({ op: 'readdir', path });
    if (!this.dirs.has(path)) throw hostError('readdir', path, enoent());
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs, ...this.links.keys()]) {
      if (p !== path && dirname(p) === path) names.add(p.slice(path.length + 1));
    }
    return [...names].sort();
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path) || this.dirs.has(path);
  }

  kill(pid: number, signal: NodeJS.Signals | number): boolean {
    this.calls.push({ op: 'kill', pid, signal });
    return true;
  }

  async run(argv: readonly string[], opts: { input?: string } = {}): Promise<RunResult> {
    this.calls.push(opts.input === undefined ? { op: 'run', argv } : { op: 'run', argv, input: opts.input });
    return this.runResult(argv);
  }
}
