import { NAMESPACE_ARG, type CallName, type Calls } from '../../../../engine/api/contract.js';
import type { ContainerInfo, VmResult } from '../../../../engine/api/types.js';
import { ConfigStore } from '../../../../engine/config/config-store.js';
import { defaultConfig } from '../../../../engine/config/defaults.js';
import type { LanguageDeps } from '../../../../engine/language/handler.js';
import type { LanguageHost, ProgramResult } from '../../../../engine/language/host.js';
import { Language } from '../../../../engine/language/language.js';

/**
 * A pure fake engine: records calls and answers vm.info from a list. The namespace a command's calls
 * are bound to (contract.ts NAMESPACE_ARG) is recorded apart from the other arguments.
 */
export class FakeEngine {
  readonly calls: { name: string; args: unknown[] }[] = [];
  /** The namespace each call of `calls` was bound to (undefined for calls that take none). */
  readonly namespaces: (string | undefined)[] = [];
  vms: ContainerInfo[] = [];
  results: VmResult[] = [];
  vlans: { alias: string; vlan: number }[] = [];
  throwOn: string | undefined;
  /**
   * Answers of other calls, by name (default: `results`); a function is called with the arguments.
   * Calls whose result is no list of VmResult start with one of their own shape, so a command that
   * reaches them (the fuzz tests find any, by prefix) renders what the daemon would give it.
   */
  readonly answers = new Map<CallName, unknown>([['debug.info', { runtime: 'node v20.0.0', resources: 1, heapBytes: 1 }]]);

  async call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    const at = NAMESPACE_ARG[name];
    if (at !== undefined && args.length > at) {
      // The bound bridge pads omitted arguments before the namespace with undefined: drop them again.
      const rest: unknown[] = args.slice(0, at);
      while (rest.length > 0 && rest[rest.length - 1] === undefined) rest.pop();
      this.calls.push({ name, args: rest });
      this.namespaces.push(args[at] as string);
    } else {
      this.calls.push({ name, args });
      this.namespaces.push(undefined);
    }
    if (this.throwOn === name) throw new Error(`boom in ${name}`);
    if (name === 'vm.info') return this.vms as Calls[K]['result'];
    if (name === 'net.vlans') return this.vlans as Calls[K]['result'];
    if (this.answers.has(name)) {
      const a = this.answers.get(name);
      return (typeof a === 'function' ? (a as (...x: unknown[]) => unknown)(...args) : a) as Calls[K]['result'];
    }
    return this.results as Calls[K]['result'];
  }
}

/** A recording fake of the language's host: programs answer from `programs`, files from `files`. */
export class FakeLanguageHost implements LanguageHost {
  readonly calls: { op: string; args: unknown[] }[] = [];
  /** Executables by path. */
  programs = new Map<string, (argv: readonly string[]) => ProgramResult>([
    ['/bin/echo', (argv) => ({ code: 0, stdout: `${argv.slice(1).join(' ')}\n`, stderr: '' })],
    ['/bin/false', () => ({ code: 1, stdout: '', stderr: '' })],
    ['/bin/warn', () => ({ code: 0, stdout: 'out\n', stderr: 'careful\n' })],
  ]);
  files = new Map<string, string>();
  dirs = new Set<string>();
  /** Background processes waiting to finish: call finish() to end them. */
  running: { argv: readonly string[]; onExit: (r: ProgramResult) => void }[] = [];
  private nextPid = 100;

  async lookPath(file: string, path: string): Promise<string> {
    this.calls.push({ op: 'lookPath', args: [file, path] });
    if (file.includes('/')) {
      if (this.programs.has(file)) return file;
      throw new Error(`exec: ${JSON.stringify(file)}: stat ${file}: no such file or directory`);
    }
    for (const d of path.split(':')) if (this.programs.has(`${d}/${file}`)) return `${d}/${file}`;
    throw new Error(`exec: ${JSON.stringify(file)}: executable file not found in $PATH`);
  }

  async run(argv: readonly string[], env: Record<string, string>): Promise<ProgramResult> {
    this.calls.push({ op: 'run', args: [argv, env] });
    return this.programs.get(argv[0]!)!(argv);
  }

  start(argv: readonly string[], env: Record<string, string>, onExit: (r: ProgramResult) => void): { pid: number } {
    this.calls.push({ op: 'start', args: [argv, env] });
    this.running.push({ argv, onExit });
    return { pid: this.nextPid++ };
  }

  finish(): void {
    for (const p of this.running.splice(0)) p.onExit(this.programs.get(p.argv[0]!)!(p.argv));
  }

  async readText(path: string, maxBytes: number): Promise<string> {
    this.calls.push({ op: 'readText', args: [path] });
    const f = this.files.get(path);
    if (f === undefined) throw new Error(`open ${path}: no such file or directory`);
    if (f.length > maxBytes) throw new Error(`read ${path}: larger than ${maxBytes} bytes`);
    return f;
  }

  async writeText(path: string, data: string): Promise<void> {
    this.calls.push({ op: 'writeText', args: [path] });
    this.files.set(path, data);
  }

  async kind(path: string): Promise<'file' | 'dir' | undefined> {
    return this.files.has(path) ? 'file' : this.dirs.has(path) ? 'dir' : undefined;
  }
}

export function vm(id: number, name: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id,
    name,
    namespace: 'minimega',
    state: 'BUILDING',
    type: 'container',
    uuid: `uuid-${id}`,
    pid: 0,
    launchedAt: 0,
    config: defaultConfig(),
    tags: {},
    console: `/run/nanomega/${id}/console`,
    dir: `/run/nanomega/${id}`,
    nics: [],
    ...over,
  };
}

export function session(engine = new FakeEngine(), over: Partial<LanguageDeps> = {}) {
  const host = new FakeLanguageHost();
  const deps: LanguageDeps = {
    engine,
    config: new ConfigStore(),
    env: { images: '/srv/images', PATH: '/usr/bin:/bin' },
    hostname: 'labhost',
    filesDir: '/base/files',
    host,
    ...over,
  };
  const lang = new Language(deps);
  return { s: lang.session(), lang, engine, deps, host: deps.host as FakeLanguageHost };
}
