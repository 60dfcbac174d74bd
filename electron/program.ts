import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * How the desktop app runs the `nanomega` program: argv = [file, ...args, subcommand...]. Never Electron's
 * own binary as Node (ELECTRON_RUN_AS_NODE): the runAsNode fuse is off in packaged apps, and pkexec scrubs
 * the environment anyway (security review I7).
 */
export interface Program {
  file: string;
  args: string[];
}

/** Where the Debian package installs the program. */
export const SYSTEM_PROGRAM = '/usr/bin/nanomega';

export interface ProgramSearch {
  env: NodeJS.ProcessEnv;
  /** Electron's resources directory of a packaged app (process.resourcesPath), if any. */
  resourcesPath?: string;
  /** The source checkout's bin/nanomega.js, for running from a clone. */
  checkoutEntry: string;
  exists?: (path: string) => boolean;
}

/**
 * The program to run, in order: $NANOMEGA_PROGRAM; the engine inside a packaged app
 * (resources/engine/nanomega); the Debian package's /usr/bin/nanomega; a source checkout run by the
 * first `node` on PATH. Every file is absolute (pkexec requires it). Undefined when none exists.
 */
export function findProgram(s: ProgramSearch): Program | undefined {
  const exists = s.exists ?? existsSync;
  const explicit = s.env.NANOMEGA_PROGRAM;
  if (explicit && isAbsolute(explicit) && exists(explicit)) return { file: explicit, args: [] };
  if (s.resourcesPath) {
    const packaged = join(s.resourcesPath, 'engine', 'nanomega');
    if (exists(packaged)) return { file: packaged, args: [] };
  }
  if (exists(SYSTEM_PROGRAM)) return { file: SYSTEM_PROGRAM, args: [] };
  if (exists(s.checkoutEntry)) {
    for (const dir of (s.env.PATH ?? '').split(delimiter)) {
      const node = join(dir, 'node');
      if (isAbsolute(dir) && exists(node)) return { file: node, args: [s.checkoutEntry] };
    }
  }
  return undefined;
}

/** The program's argv as one shell-quoted line, for telling a person what to run. */
export function commandLine(p: Program | undefined, words: string[]): string {
  const argv = p ? [p.file, ...p.args, ...words] : ['nanomega', ...words];
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
