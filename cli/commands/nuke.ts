import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

export const command: Subcommand = {
  name: 'nuke',
  options: [],
  usage: 'nuke',
  summary: 'kill every container of this base and remove every engine object',
  async run(args, rest) {
    if (rest.length) fail(`nuke: unexpected argument \`${rest[0]}\``);
    let client: EngineClient | undefined;
    try {
      client = await EngineClient.connect(args.base);
    } catch {
      // No daemon answers: open the engine here (it re-adopts what still runs), then nuke.
    }
    if (client) {
      await client.call('engine.nuke');
      client.close();
      return 0;
    }
    // Loaded only here: `nanomega --help` imports this file for its summary (cli/main.ts).
    const { Engine } = await import('../../engine/engine.js');
    const engine = await Engine.open({ base: args.base });
    await engine.handlers['engine.nuke']();
    engine.close();
    return 0;
  },
};
