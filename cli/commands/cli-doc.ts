import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

/** `nanomega -cli`: minimega's `-cli` flag, the command table as JSON on stdout. No daemon is needed. */
export const command: Subcommand = {
  name: '-cli',
  usage: '-cli',
  options: [],
  summary: "print the command table as JSON, as `minimega -cli` does (minimega's pyapigen makes the Python bindings from it)",
  async run(_args, rest) {
    if (rest.length) fail(`-cli: unexpected argument \`${rest[0]}\``);
    const [{ minicliDoc }, { HANDLERS }] = await Promise.all([import('../../engine/language/cli-doc.js'), import('../../engine/language/table.js')]);
    process.stdout.write(minicliDoc(HANDLERS) + '\n');
    return 0;
  },
};
