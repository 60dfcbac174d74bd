/**
 * What minimega keeps once per process and every client shares: the default output flags, history,
 * aliases, the `.env` environment and background processes. One LanguageState lives in the daemon;
 * every session (socket connection, script run, the app's prompt) reads and changes the same one, so
 * `nanomega -e ".annotate false"` holds for the next `nanomega -e`, as with `minimega -e`.
 */
import { BackgroundJobs } from './background.js';
import { type Flags, defaultFlags } from './response.js';

/** minicli.HistoryLen: older entries are dropped. */
export const HISTORY_MAX = 10_000;

/** Flags that change how lines are processed rather than rendered (minicli Flags.Record/Preprocess). */
export interface CommandFlags {
  record: boolean;
  preprocess: boolean;
}

export class LanguageState {
  /** Output flags new responses start from (`.annotate false` changes them). */
  readonly flags: Flags = defaultFlags();
  readonly commandFlags: CommandFlags = { record: true, preprocess: true };
  /** Recorded lines, oldest first (`history`). */
  history: string[] = [];
  /** `.alias NAME=EXPANSION`: applied to the first word of a line typed by a client. */
  readonly aliases = new Map<string, string>();
  /** `.env` changes over the base environment; `null` = unset. */
  readonly envOverlay = new Map<string, string | null>();
  readonly background = new BackgroundJobs();

  constructor(private readonly baseEnv: Record<string, string | undefined>) {}

  /** The environment `$VAR` expands from: the daemon's, changed by `.env`. */
  env(name: string): string | undefined {
    const o = this.envOverlay.get(name);
    if (o === null) return undefined;
    return o ?? this.baseEnv[name];
  }

  /** Every variable, sorted by name (`.env` without arguments). */
  envEntries(): [string, string][] {
    const all = new Map<string, string>();
    for (const [k, v] of Object.entries(this.baseEnv)) if (v !== undefined) all.set(k, v);
    for (const [k, v] of this.envOverlay) {
      if (v === null) all.delete(k);
      else all.set(k, v);
    }
    return [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The whole environment as an object (for processes `shell` and `background` start). */
  envObject(): Record<string, string> {
    return Object.fromEntries(this.envEntries());
  }

  record(line: string): void {
    this.history.push(line);
    if (this.history.length > HISTORY_MAX) this.history = this.history.slice(-HISTORY_MAX);
  }

  /** minicli ExpandAliases: the first word, if it names an alias, is replaced once (never again). */
  expandAliases(line: string): string {
    const m = /^(\S+)(\s[\s\S]*)?$/.exec(line);
    if (!m) return line;
    const expansion = this.aliases.get(m[1]!);
    return expansion === undefined ? line : expansion + (m[2] ?? '');
  }
}
