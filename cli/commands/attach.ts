import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EngineClient, socketPath } from '../engine-client.js';
import { fail } from '../args.js';
import { printResult } from '../print.js';
import type { Subcommand } from '../subcommand.js';

/** Lines kept in ~/.nanomega_history (the client side of minimega's history). */
const HISTORY_LINES = 1000;

export const command: Subcommand = {
  name: 'attach',
  options: [],
  usage: 'attach',
  summary: 'interactive minimega prompt (history, line editing)',
  async run(args, rest) {
    if (rest.length) fail(`attach: unexpected argument \`${rest[0]}\``);
    const client = await EngineClient.connect(args.base);
    const historyFile = join(homedir(), '.nanomega_history');
    const history = (await readFile(historyFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).reverse().slice(0, HISTORY_LINES);
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      prompt: 'nanomega$ ',
      history,
      historySize: HISTORY_LINES,
      terminal: process.stdin.isTTY,
      // Tab: the daemon completes from the command table (whole lines, as minimega's Suggest).
      completer: (line: string, done: (err: null, result: [string[], string]) => void) => {
        client.call('cli.suggest', line).then(
          (lines) => done(null, [lines, line]),
          () => done(null, [[], line]),
        );
      },
    });
    rl.prompt();
    for await (const line of rl) {
      if (line.trim() === 'quit' || line.trim() === 'exit') break;
      if (line.trim()) {
        await appendFile(historyFile, line + '\n').catch(() => undefined); // Best-effort: history is a convenience.
        try {
          printResult(await client.call('cli.exec', line), process.stdout);
        } catch (e) {
          process.stdout.write(`E: ${(e as Error).message}\n`);
          if (!existsSync(socketPath(args.base))) break;
        }
      }
      rl.prompt();
    }
    rl.close();
    client.close();
    return 0;
  },
};
