/** `vm exec <target> <command>...`: run a command inside running containers and print its output. */
import type { ExecResult } from '../../api/types.js';
import type { Handler } from '../handler.js';
import type { Response } from '../response.js';

/** Why one container's command did not succeed, or undefined. */
function failure(r: ExecResult): string | undefined {
  if (r.error) return r.error;
  if (r.signal) return `vm exec ${r.name}: killed by signal ${r.signal}`;
  if (r.code) return `vm exec ${r.name}: exit status ${r.code}`;
  return undefined;
}

/**
 * One container: its stdout then stderr, as `shell` prints a host command. Several: each one's output
 * under a `name:` line, as `cc responses` prints one response per client.
 */
export function renderExec(results: ExecResult[]): Response {
  const one = results.length === 1;
  const text = results
    .filter((r) => !r.error)
    .map((r) => {
      const body = (r.stdout + r.stderr).replace(/\n$/, '');
      return one ? body : `${r.name}:\n${body}`;
    })
    .join('\n');
  return { text, errors: results.map(failure).filter((e): e is string => e !== undefined) };
}

export const vmExecHandlers: Handler[] = [
  {
    patterns: ['vm exec <vm target> <command>...'],
    help: 'run a command inside running containers',
    helpLong:
      'Run a command inside each running target container, in every namespace and cgroup of its init and with ' +
      "init's capabilities, no_new_privs and seccomp filter, and print its output (several containers: each under a " +
      '`name:` line). A non-zero exit status is an error. Nothing needs to be installed in the image.',
    async call(ctx, cmd) {
      return renderExec(await ctx.deps.engine.call('vm.exec', cmd.stringArgs.vm!, cmd.listArgs.command!));
    },
  },
];
