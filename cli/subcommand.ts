import type { Args } from './args.js';

/** One `nanomega` subcommand: a file in cli/commands/ exporting `command`. */
export interface Subcommand {
  /** The word after `nanomega` (`serve`, `-e`, …). */
  readonly name: string;
  /** Its synopsis, shown by `nanomega --help` and `nanomega NAME --help`. */
  readonly usage: string;
  /**
   * Options it takes after its name (besides the global --base, --freezer and --web); any other word
   * starting with `-` is refused before it runs. Absent for `-e`, whose words are all the command's.
   */
  readonly options?: readonly string[];
  /** What it does, one or two lines. */
  readonly summary: string;
  /** Runs it with the words after the subcommand; resolves to the exit status. */
  run(args: Args, rest: string[]): Promise<number>;
}
