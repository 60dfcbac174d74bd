/** `history`, `clear history`, `write <file>`. */
import type { Handler } from '../handler.js';
import { errorResponse, textResponse } from '../response.js';
import { filesRelative } from './files.js';

export const historyHandlers: Handler[] = [
  {
    patterns: ['history'],
    help: 'show command history',
    helpLong:
      'The commands run since the daemon started or the history was last cleared, by every client: valid commands ' +
      'and comments only. `read` is not recorded itself; the commands it runs are. `.record false` stops recording.',
    async call(ctx) {
      return textResponse(ctx.state.history.join('\n'));
    },
  },
  {
    patterns: ['clear history'],
    help: 'reset history',
    async call(ctx, cmd) {
      ctx.state.history = [];
      cmd.record = false;
      return errorResponse();
    },
  },
  {
    patterns: ['write <file>'],
    help: 'write the command history to a file',
    helpLong: 'Write the history to a file (a relative name is in the files directory), to replay it later with `read`.',
    async call(ctx, cmd) {
      await ctx.deps.host.writeText(filesRelative(ctx, cmd.stringArgs.file!), ctx.state.history.join('\n'));
      return errorResponse();
    },
  },
];
