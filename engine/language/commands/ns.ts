/**
 * `ns queueing`: launch queueing of the session's namespace (minimega's `ns` verb; the rest of `ns`
 * — hosts, schedule, queue, … — joins this handler with the namespace work).
 */
import type { Handler } from '../handler.js';
import { errorResponse, textResponse } from '../response.js';

export const nsHandlers: Handler[] = [
  {
    patterns: ['ns <queueing,> [true,false]'],
    help: 'control namespace environments and scheduling',
    helpLong:
      'ns queueing true: `vm launch container …` only queues VMs (names and UUIDs are checked at once) until ' +
      '`vm launch` with no arguments launches the queue; false (the default) launches at once.',
    async call(ctx, cmd) {
      if (cmd.boolArgs.true || cmd.boolArgs.false) {
        ctx.ns.queueing = !!cmd.boolArgs.true;
        return errorResponse();
      }
      return textResponse(String(ctx.ns.queueing));
    },
  },
];
