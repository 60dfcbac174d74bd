/** `read <file> [check]`: run a script through the same session. */
import { posix } from 'node:path';
import type { Chunk, Command, Handler } from '../handler.js';
import { errorResponse } from '../response.js';
import { errorMessage } from '../session.js';
import { filesRelative } from './files.js';

/** Largest script `read` takes. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

/** True when any level of a command runs a script. */
export function runsScript(cmd: Command): boolean {
  for (let c: Command | undefined = cmd; c; c = c.subcommand) if (c.handler.script) return true;
  return false;
}

export const readHandler: Handler = {
  patterns: ['read <file> [check,]'],
  help: 'read and execute a command file',
  helpLong:
    'Run a script, each line as if typed (aliases are not expanded): its output follows line by line. read stops ' +
    'at a line that is not a valid command, not at a command that fails. Scripts do not nest: a read in a script ' +
    'stops it. With check, nothing runs: every line is only checked for syntax, stopping at the first invalid one. ' +
    'A relative file name is in the files directory.',
  script: true,
  async call(ctx, cmd) {
    const file = cmd.stringArgs.file!;
    const text = await ctx.deps.host.readText(filesRelative(ctx, file), MAX_SCRIPT_BYTES);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const chunks: Chunk[] = [];
    let failure: string | undefined;
    let n = 0;
    for (const raw of lines) {
      n++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      let compiled;
      try {
        compiled = ctx.session.compile(line);
      } catch (e) {
        failure = errorMessage(e);
        break;
      }
      if (compiled.kind === 'command' && runsScript(compiled.cmd)) {
        failure = 'cannot run nested `read` commands';
        break;
      }
      if (cmd.boolArgs.check) continue;
      // `namespace foo read x`: the script's commands run in foo.
      if (compiled.kind === 'command' && cmd.namespace !== undefined) compiled.cmd.namespace ??= cmd.namespace;
      chunks.push(...(await ctx.session.run(compiled)));
    }
    if (failure !== undefined) chunks.push({ response: errorResponse(`${posix.basename(file)}:${n} ${failure}`), flags: {} });
    return { chunks };
  },
};
