/** `debug`: the daemon's runtime, a heap snapshot, a report of its stacks and handles, a CPU profile. */
import type { Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';

export const debugHandlers: Handler[] = [
  {
    patterns: ['debug', 'debug <memory,> <file>', 'debug <cpu,> <start,> <file>', 'debug <cpu,> <stop,>', 'debug <goroutine,> <file>'],
    help: 'display internal debug information',
    helpLong:
      "debug can help find and resolve issues with the daemon. Without arguments, it prints the daemon's runtime " +
      '(node and its version), its active handles and requests, and the bytes of its JavaScript heap in use. ' +
      "With arguments it writes files (a relative FILE is in the files directory), in Node's formats rather than " +
      "Go's pprof: memory, a V8 heap snapshot (open it in Chrome DevTools' Memory tab; the daemon stops while it " +
      "is written); cpu start, a CPU profile written at `debug cpu stop` (a .cpuprofile for DevTools' " +
      "Performance tab); goroutine, Node's diagnostic report (JSON: JavaScript and native stacks, libuv handles).",
    async call(ctx, cmd) {
      const file = cmd.stringArgs.file ?? '';
      const engine = ctx.deps.engine;
      if (cmd.boolArgs.memory) await engine.call('debug.write', 'memory', file);
      else if (cmd.boolArgs.goroutine) await engine.call('debug.write', 'goroutine', file);
      else if (cmd.boolArgs.cpu) await engine.call('debug.cpu', cmd.boolArgs.start ? 'start' : 'stop', cmd.boolArgs.start ? file : undefined);
      else {
        const d = await engine.call('debug.info');
        return tableResponse(['runtime', 'handles', 'heap'], [[d.runtime, String(d.resources), String(d.heapBytes)]]);
      }
      return errorResponse();
    },
  },
];
