import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import { printResult } from '../print.js';
import type { Subcommand } from '../subcommand.js';

/** `nanomega -e COMMAND...`: one command of the minimega language; exit 1 when it reports errors. */
export const command: Subcommand = {
  name: '-e',
  usage: '-e COMMAND...',
  summary: 'run one minimega command and print its output (errors as `E: msg` on stderr, exit status 1)',
  async run(args, rest) {
    if (rest.length === 0) fail('-e needs a command');
    const client = await EngineClient.connect(args.base);
    try {
      const r = await client.call('cli.exec', rest.join(' '));
      printResult(r);
      return r.errors.length ? 1 : 0;
    } finally {
      client.close();
    }
  },
};
