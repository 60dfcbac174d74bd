/** `shell <command>`: run a host command and print its output. */
import type { CliCommand } from '../deps.js';
import type { Response } from '../response.js';

export const shell: CliCommand = {
  words: ['shell'],
  usage: 'shell <command>',
  help: "Run a command on this host (through the daemon's shell) and print its output.",
  async run(deps, args) {
    if (args.length === 0) throw new Error('usage: shell <command>');
    const r = await deps.runShell(args.join(' '));
    const errors: string[] = [];
    if (r.stderr.trim() !== '') errors.push(r.stderr.trim());
    else if (r.code !== 0) errors.push(`exit status ${r.code}`);
    const out: Response = { text: r.stdout, errors };
    return out;
  },
};
