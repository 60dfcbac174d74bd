/**
 * minimega's plumber (internal/miniplumber) on one host: named pipes (`ns//name`) with delivery modes
 * and vias, and pipelines of pipes and host programs joined on their standard I/O, one message per line.
 *
 * `plumb a "sed -u s/x/y/" b` makes a pipeline: a reader on pipe a feeds sed's stdin, sed's stdout lines
 * are written to pipe b. A message written to a pipe goes to every reader (mode `all`), to the next
 * reader in turn (`round-robin`) or to one at random (`random`); a pipe's via program is run on each
 * message for each reader. A pipeline ends when one of its programs exits or one of its pipes is
 * deleted; its programs are killed then.
 *
 * Messages between pipes are delivered before `write` resolves, so counts are final when a command
 * returns. A loop (`plumb a b` and `plumb b a`) would never end: one written message may cause at most
 * DELIVERY_BUDGET deliveries, the rest are dropped and reported.
 */
import type { PipeChange, PipeInfo, PipeMode } from '../api/types.js';
import { EngineError } from '../errors.js';
import { NAMESPACE_SEP, namespaceNameProblem } from '../namespace/names.js';
import { quotedFields } from './fields.js';

export const PIPE_MODES: readonly PipeMode[] = ['all', 'round-robin', 'random'];

/** Deliveries one written message may cause through pipelines (pipes feeding pipes). */
export const DELIVERY_BUDGET = 10_000;
/** Pipes one message may pass through in a row (a longer chain is a loop). */
export const MAX_HOPS = 64;
/** Pipelines at once; each may hold programs. */
export const MAX_PIPELINES = 1024;
/** A message longer than this (minimega's TOKEN_MAX) is refused. */
export const MESSAGE_MAX = 1024 * 1024;

/** A program of a pipeline (or a via run) as the port runs it. */
export interface PlumbProcess {
  /** Give it a line on its stdin (dropped when it has none or it is gone). */
  write(data: string): void;
  kill(): void;
}

/** What the plumber needs from the machine: finding and running host programs. */
export interface PlumbPort {
  /** Go's LookPath in the daemon's $PATH: the program's path, or undefined when there is none. */
  lookPath(file: string): Promise<string | undefined>;
  /**
   * Start argv (argv[0] a path) without a shell: with `stdin`, write() feeds it; with `stdout`, each
   * line it prints (with its newline) goes to onLine; onExit once, when it ends or cannot start —
   * never before start() has returned.
   */
  start(argv: readonly string[], opts: { stdin: boolean; stdout: boolean }, onLine: (line: string) => void, onExit: (why: string) => void): PlumbProcess;
  /** A via: run argv with `input` on its stdin; its stdout, or an error with its stderr. */
  via(argv: readonly string[], input: string): Promise<string>;
}

type Deliver = (value: string, budget: Budget) => Promise<void>;

/** What one written message may still cause: deliveries left (shared by its copies), and how many pipes deep it is. */
interface Budget {
  shared: { left: number; reported: boolean };
  hops: number;
}

class Pipe {
  mode: PipeMode = 'all';
  readonly readers = new Map<number, Deliver>();
  writers = 0;
  count = 0;
  via: string[] = [];
  last = '';
  log = false;
  lastRecipient = -1;

  constructor(readonly name: string) {}
}

interface Pipeline {
  name: string;
  namespace: string;
  processes: PlumbProcess[];
  readers: { pipe: Pipe; id: number }[];
  writes: Pipe[];
  done: boolean;
}

type Stage = { kind: 'pipe'; name: string } | { kind: 'program'; argv: string[] };

export class Plumber {
  private readonly pipes = new Map<string, Pipe>();
  private readonly pipelines = new Map<string, Pipeline>();
  private nextReader = 0;

  constructor(
    private readonly port: PlumbPort,
    private readonly log: (level: 'info' | 'warn' | 'error', message: string) => void = () => undefined,
  ) {}

  /** `ns//name` for a pipe typed in namespace `ns` (`other//name` is kept); E_CONFIG naming a bad one. */
  static qualify(ns: string, name: string): string {
    const full = name.includes(NAMESPACE_SEP) ? name : `${ns}${NAMESPACE_SEP}${name}`;
    const i = full.indexOf(NAMESPACE_SEP);
    const why = namespaceNameProblem(full.slice(0, i));
    if (why) throw new EngineError('E_CONFIG', `invalid pipe \`${name}\`: ${why}`, { field: 'pipe', value: name });
    const rest = full.slice(i + NAMESPACE_SEP.length);
    if (rest === '' || /[\s\u0000]/.test(rest) || rest.length > 256) {
      throw new EngineError('E_CONFIG', `invalid pipe \`${name.slice(0, 80)}\`: a pipe name is 1-256 characters without white space`, {
        field: 'pipe',
        value: name.slice(0, 200),
      });
    }
    return full;
  }

  /**
   * `plumb A B …` in namespace `ns`: an element holding `//` is a pipe; otherwise one whose first word
   * is a program in $PATH is that program, anything else a pipe of `ns` (as minimega decides).
   */
  async plumb(ns: string, elements: readonly string[]): Promise<string> {
    if (elements.length < 2) throw new EngineError('E_CONFIG', 'plumb: a pipeline needs a source and at least one destination', { field: 'pipeline' });
    const stages: Stage[] = [];
    const production: string[] = [];
    for (const e of elements) {
      const fields = quotedFields(e);
      const path = !e.includes(NAMESPACE_SEP) && fields.length > 0 ? await this.port.lookPath(fields[0]!) : undefined;
      if (path !== undefined) {
        stages.push({ kind: 'program', argv: [path, ...fields.slice(1)] });
        production.push(e);
      } else {
        const name = Plumber.qualify(ns, e);
        stages.push({ kind: 'pipe', name });
        production.push(name);
      }
    }
    const name = production.join(' ');
    if (this.pipelines.has(name)) throw new EngineError('E_EXISTS', `pipeline already exists: [${name}]`, { pipeline: name });
    if (this.pipelines.size >= MAX_PIPELINES) throw new EngineError('E_CONFIG', `plumb: at most ${MAX_PIPELINES} pipelines`, { field: 'pipeline' });
    const pl: Pipeline = { name, namespace: ns, processes: [], readers: [], writes: [], done: false };
    this.pipelines.set(name, pl);
    // Wired from the last stage back, so every stage knows where its output goes.
    let next: Deliver | undefined;
    for (let i = stages.length - 1; i >= 0; i--) {
      const s = stages[i]!;
      const first = i === 0;
      const out = next;
      if (s.kind === 'pipe') {
        const pipe = this.pipe(s.name);
        if (out) {
          const id = this.nextReader++;
          pipe.readers.set(id, out);
          pl.readers.push({ pipe, id });
        }
        if (first) {
          next = undefined;
        } else {
          pipe.writers++;
          pl.writes.push(pipe);
          next = (v, budget) => (pl.done ? Promise.resolve() : this.deliver(pipe, v, { ...budget, hops: budget.hops + 1 }));
        }
      } else {
        const proc = this.port.start(
          s.argv,
          { stdin: !first, stdout: out !== undefined },
          (line) => {
            if (out) out(line, newBudget()).catch((e: unknown) => this.log('error', `plumb ${name}: ${(e as Error).message}`));
          },
          (why) => {
            if (!pl.done) this.log('info', `plumb ${name}: ${s.argv[0]} ended (${why}); pipeline closed`);
            this.cancel(pl);
          },
        );
        pl.processes.push(proc);
        next = async (v) => proc.write(v);
      }
    }
    return name;
  }

  /** Pipelines of namespace `ns` (those naming one of its pipes), sorted. */
  pipelinesOf(ns: string): string[] {
    const own = `${ns}${NAMESPACE_SEP}`;
    return [...this.pipelines.values()]
      .filter((p) => p.namespace === ns || p.name.includes(own))
      .map((p) => p.name)
      .sort();
  }

  /** `clear plumb [A B …]`: one pipeline (typed as for plumb, or as listed), or every one of `ns`. */
  async clearPlumb(ns: string, elements?: readonly string[]): Promise<void> {
    if (!elements || elements.length === 0) {
      for (const name of this.pipelinesOf(ns)) this.cancel(this.pipelines.get(name)!);
      return;
    }
    const typed = elements.join(' ');
    const resolved = await Promise.all(
      elements.map(async (e) =>
        !e.includes(NAMESPACE_SEP) && (await this.port.lookPath(quotedFields(e)[0] ?? '')) !== undefined ? e : Plumber.qualify(ns, e),
      ),
    );
    const pl = this.pipelines.get(typed) ?? this.pipelines.get(resolved.join(' '));
    if (!pl) throw new EngineError('E_NOT_FOUND', `no such pipeline: [${typed}]`, { pipeline: typed });
    this.cancel(pl);
  }

  /** `pipe NAME DATA`: write one message (a newline is added); resolves once pipes downstream have it. */
  async write(name: string, value: string): Promise<void> {
    if (value.length > MESSAGE_MAX) throw new EngineError('E_CONFIG', `pipe ${name}: a message is at most ${MESSAGE_MAX} bytes`, { field: 'data' });
    const pipe = this.pipe(name);
    pipe.writers++;
    try {
      await this.deliver(pipe, value, newBudget());
    } finally {
      pipe.writers--;
    }
  }

  /**
   * A reader of pipe `name` for as long as the returned close() is not called: each message is
   * handed to `onMessage` (miniccc's plumber reader, for a cc command's stdin=).
   */
  openReader(name: string, onMessage: (value: string) => void): () => void {
    const pipe = this.pipe(name);
    const id = this.nextReader++;
    pipe.readers.set(id, async (value) => onMessage(value));
    return () => void pipe.readers.delete(id);
  }

  /**
   * A writer of pipe `name` (counted in `writers` until close()): each write() is one message, delivered
   * in the order written (miniccc's plumber writer, for a cc command's stdout= and stderr=).
   */
  openWriter(name: string): { write(value: string): Promise<void>; close(): void } {
    const pipe = this.pipe(name);
    pipe.writers++;
    let chain = Promise.resolve();
    let open = true;
    return {
      write: (value) => {
        if (value.length > MESSAGE_MAX) value = value.slice(0, MESSAGE_MAX);
        chain = chain.then(() => this.deliver(pipe, value, newBudget())).catch((e: Error) => this.log('error', `pipe ${name}: ${e.message}`));
        return chain;
      },
      close: () => {
        if (!open) return;
        open = false;
        pipe.writers = Math.max(0, pipe.writers - 1);
      },
    };
  }

  /** `pipe NAME mode|log|via …`. */
  set(name: string, change: PipeChange): void {
    const pipe = this.pipe(name);
    if (change.mode !== undefined) {
      if (!PIPE_MODES.includes(change.mode))
        throw new EngineError('E_CONFIG', `invalid pipe mode \`${String(change.mode)}\` (all, round-robin or random)`, {
          field: 'mode',
          value: String(change.mode),
        });
      pipe.mode = change.mode;
    }
    if (change.log !== undefined) pipe.log = change.log;
    if (change.via !== undefined) pipe.via = [...change.via];
  }

  /** Pipes of namespace `ns`, sorted by name. */
  pipesOf(ns: string): PipeInfo[] {
    const own = `${ns}${NAMESPACE_SEP}`;
    return [...this.pipes.values()]
      .filter((p) => p.name.startsWith(own))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => ({ name: p.name, mode: p.mode, readers: p.readers.size, writers: p.writers, count: p.count, via: p.via.join(' '), previous: p.last.trim() }));
  }

  /** `clear pipe NAME`: forget it and end the pipelines reading it (not while something writes to it). */
  deletePipe(name: string): void {
    const pipe = this.pipes.get(name);
    if (!pipe) throw new EngineError('E_NOT_FOUND', `no such pipe: ${name}`, { pipe: name });
    if (pipe.writers !== 0) throw new EngineError('E_STATE', 'cannot delete named pipe with open writers', { pipe: name });
    for (const pl of [...this.pipelines.values()]) if (pl.readers.some((r) => r.pipe === pipe)) this.cancel(pl);
    this.pipes.delete(name);
  }

  /** `clear pipe`: every pipe of `ns`, stopping at the first that cannot go (as minimega). */
  deletePipes(ns: string): void {
    for (const p of this.pipesOf(ns)) this.deletePipe(p.name);
  }

  /** A namespace is destroyed: its pipelines end and its pipes go, writers or not. */
  deleteNamespace(ns: string): void {
    for (const name of this.pipelinesOf(ns)) this.cancel(this.pipelines.get(name)!);
    for (const p of this.pipesOf(ns)) this.pipes.delete(p.name);
  }

  /** End every pipeline (daemon shutdown): their programs are killed. */
  close(): void {
    for (const pl of [...this.pipelines.values()]) this.cancel(pl);
  }

  private pipe(name: string): Pipe {
    let p = this.pipes.get(name);
    if (!p) {
      p = new Pipe(name);
      this.pipes.set(name, p);
    }
    return p;
  }

  /** minimega's schedule + write: pick the readers by mode, run the via per reader, count the message. */
  private async deliver(pipe: Pipe, raw: string, budget: Budget): Promise<void> {
    const value = raw.endsWith('\n') ? raw : `${raw}\n`;
    const ids = [...pipe.readers.keys()].sort((a, b) => a - b);
    let chosen = ids;
    if (pipe.mode !== 'all' && ids.length > 0) {
      const pick = pipe.mode === 'random' ? ids[Math.floor(Math.random() * ids.length)]! : (ids.find((id) => id > pipe.lastRecipient) ?? ids[0]!);
      pipe.lastRecipient = pick;
      chosen = [pick];
    }
    if (pipe.log) this.log('info', `pipe ${pipe.name}: ${value.trim()}`);
    pipe.last = value;
    pipe.count++;
    for (const id of chosen) {
      const reader = pipe.readers.get(id);
      if (!reader) continue;
      if (budget.shared.left <= 0 || budget.hops > MAX_HOPS) {
        if (!budget.shared.reported) {
          this.log(
            'warn',
            `pipe ${pipe.name}: message dropped after ${budget.hops > MAX_HOPS ? `${MAX_HOPS} pipes in a row` : `${DELIVERY_BUDGET} deliveries`} (do the pipelines form a loop?)`,
          );
        }
        budget.shared.reported = true;
        return;
      }
      budget.shared.left--;
      let data = value;
      if (pipe.via.length > 0) {
        try {
          data = await this.runVia(pipe.via, value);
        } catch (e) {
          this.log('error', `pipe ${pipe.name}: via ${pipe.via.join(' ')}: ${(e as Error).message}`);
          return;
        }
      }
      await reader(data, budget);
    }
  }

  private async runVia(via: string[], value: string): Promise<string> {
    const path = await this.port.lookPath(via[0]!);
    if (path === undefined) throw new Error(`exec: ${JSON.stringify(via[0])}: executable file not found in $PATH`);
    return this.port.via([path, ...via.slice(1)], value);
  }

  private cancel(pl: Pipeline): void {
    if (pl.done) return;
    pl.done = true;
    this.pipelines.delete(pl.name);
    for (const r of pl.readers) r.pipe.readers.delete(r.id);
    for (const p of pl.writes) p.writers = Math.max(0, p.writers - 1);
    for (const proc of pl.processes) proc.kill();
  }
}

function newBudget(): Budget {
  return { shared: { left: DELIVERY_BUDGET, reported: false }, hops: 0 };
}
