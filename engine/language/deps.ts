import type { EngineBridge } from '../api/contract.js';
import type { ConfigStore } from '../config/config-store.js';
import type { Response } from './response.js';

/** What a CLI session needs from its host (daemon, test or in-process app). */
export interface CliDeps {
  engine: Pick<EngineBridge, 'call'>;
  config: ConfigStore;
  /** Source of `$VAR` expansion (the daemon's environment). */
  env: Record<string, string | undefined>;
  /** This host's name: the `host` column of `.annotate`. */
  hostname: string;
  /** Run a host command for `shell`. */
  runShell(cmd: string): Promise<{ stdout: string; stderr: string; code: number }>;
}

/**
 * One verb of the language. A verb is matched by its leading words (`['vm', 'info']`); the rest of the
 * line's words are its arguments. Add a verb by writing one file in commands/ and listing it in
 * commands/index.ts.
 */
export interface CliCommand {
  words: readonly string[];
  /** Synopsis shown by help, e.g. `vm info [summary]`. */
  usage: string;
  help: string;
  run(deps: CliDeps, args: string[]): Promise<Response>;
}

/** minicli's error for input that matches no command. */
export function invalidCommand(line: string): Error {
  return new Error(`invalid command: \`${line.trim()}\``);
}
