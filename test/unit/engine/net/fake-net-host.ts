import type { NetHost, RunResult } from '../../../../engine/net/net-host.js';

/** Records every effect; files and dirs live in a Map; run() answers from `respond`. */
export class FakeNetHost implements NetHost {
  readonly runs: { argv: string[]; input: string }[] = [];
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  respond: (argv: string[], input: string) => RunResult = () => ({ code: 0, stdout: '', stderr: '' });

  async run(argv: readonly string[], input = ''): Promise<RunResult> {
    this.runs.push({ argv: [...argv], input });
    return this.respond([...argv], input);
  }
  async readFile(path: string): Promise<string> {
    const d = this.files.get(path);
    if (d === undefined) throw new Error(`ENOENT ${path}`);
    return d;
  }
  async writeFile(path: string, data: string): Promise<void> {
    this.files.set(path, data);
  }
  async writeFileAtomic(path: string, data: string): Promise<void> {
    this.files.set(path, data);
  }
  async mkdirp(path: string): Promise<void> {
    this.dirs.add(path);
  }
  async readdir(path: string): Promise<string[]> {
    const pre = `${path}/`;
    const names = [...this.files.keys(), ...this.dirs].filter((p) => p.startsWith(pre)).map((p) => p.slice(pre.length).split('/')[0]!);
    return [...new Set(names)];
  }
  async exists(path: string): Promise<boolean> {
    return this.files.has(path) || this.dirs.has(path) || [...this.files.keys(), ...this.dirs].some((p) => p.startsWith(`${path}/`));
  }
  async readlink(): Promise<string | undefined> {
    return undefined;
  }
}
