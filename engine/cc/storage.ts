/**
 * Where cc keeps what must survive a daemon restart (`<base>/cc/<namespace>/`): the commands and the
 * counter (`state.json`, replaced atomically when they change) and an append-only journal of
 * deliveries (`journal`), one line per event. A delivery's start is on disk before its command runs,
 * so a restarted daemon never runs it again; its end follows the response files.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CcCommandInfo, CcFilter } from '../api/types.js';
import { hostError } from '../errors.js';

/** What state.json holds. */
export interface CcSaved {
  counter: number;
  filter: CcFilter | null;
  prefix: string;
  commands: Omit<CcCommandInfo, 'checkedIn'>[];
  /** once-commands: the clients that were active when each was created (its only recipients). */
  onceFor: Record<number, string[]>;
}

/** The effects cc needs; NodeCcStorage is the real one, tests use a map. */
export interface CcStorage {
  load(ns: string): Promise<{ saved?: CcSaved; journal: string[] }>;
  save(ns: string, s: CcSaved): Promise<void>;
  /** Append whole lines, in order; resolves once written. */
  append(ns: string, lines: string[]): Promise<void>;
  /** Replace the journal (compaction after `clear cc commands`). */
  rewrite(ns: string, lines: string[]): Promise<void>;
}

/** A namespace name as a directory name (namespaces may hold any character minimega allows). */
function dirName(ns: string): string {
  return encodeURIComponent(ns).replace(/\./g, '%2E');
}

export class NodeCcStorage implements CcStorage {
  constructor(private readonly root: string) {}

  private dir(ns: string): string {
    return join(this.root, dirName(ns));
  }

  async load(ns: string): Promise<{ saved?: CcSaved; journal: string[] }> {
    const dir = this.dir(ns);
    const read = async (name: string) => {
      try {
        return await readFile(join(dir, name), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw hostError('read', join(dir, name), e);
      }
    };
    const state = await read('state.json');
    const journal = (await read('journal')) ?? '';
    let saved: CcSaved | undefined;
    if (state) {
      try {
        saved = JSON.parse(state) as CcSaved;
      } catch {
        saved = undefined; // Best-effort: a torn file cannot happen (rename), a hand-edited one starts over.
      }
    }
    // A line cut by a crash mid-append is dropped: it was never acknowledged.
    const lines = journal.split('\n');
    if (!journal.endsWith('\n')) lines.pop();
    return { saved, journal: lines.filter(Boolean) };
  }

  async save(ns: string, s: CcSaved): Promise<void> {
    const dir = this.dir(ns);
    const path = join(dir, 'state.json');
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(path + '.tmp', JSON.stringify(s), { mode: 0o600, flush: true });
      await rename(path + '.tmp', path);
    } catch (e) {
      throw hostError('write', path, e);
    }
  }

  async append(ns: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const dir = this.dir(ns);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await appendFile(join(dir, 'journal'), lines.join('\n') + '\n', { mode: 0o600 });
    } catch (e) {
      throw hostError('append', join(dir, 'journal'), e);
    }
  }

  async rewrite(ns: string, lines: string[]): Promise<void> {
    const dir = this.dir(ns);
    const path = join(dir, 'journal');
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(path + '.tmp', lines.length ? lines.join('\n') + '\n' : '', { mode: 0o600, flush: true });
      await rename(path + '.tmp', path);
    } catch (e) {
      throw hostError('write', path, e);
    }
  }
}

/** Lines appended within one turn of the event loop go out in one write (a wave of deliveries). */
export class GroupCommit {
  private pending: string[] = [];
  private waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: CcStorage,
    private readonly ns: string,
  ) {}

  append(line: string): Promise<void> {
    this.pending.push(line);
    const p = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (this.pending.length === 1) setImmediate(() => this.flush());
    return p;
  }

  /** Resolves after everything appended so far is written. */
  async settled(): Promise<void> {
    await this.chain;
  }

  private flush(): void {
    const lines = this.pending;
    const waiting = this.waiting;
    this.pending = [];
    this.waiting = [];
    this.chain = this.chain.then(() =>
      this.storage.append(this.ns, lines).then(
        () => waiting.forEach((w) => w.resolve()),
        (e) => waiting.forEach((w) => w.reject(e)),
      ),
    );
  }
}
