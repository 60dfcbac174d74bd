/**
 * `plumb`, `pipe` and their `clear` verbs (minimega's plumber.go): named pipes of the command's
 * namespace (`other//name` reaches another namespace's) and pipelines of pipes and host programs,
 * served by the engine's plumber.
 */
import type { PipeMode } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';

export const plumbHandlers: Handler[] = [
  {
    patterns: ['plumb', 'plumb <src> <dst>...'],
    help: 'plumb I/O between minimega, VMs, and external programs',
    helpLong:
      'Build a pipeline of named pipes and host programs joined on their standard I/O, one message per line, as a ' +
      'UNIX pipeline: `plumb foo "sed -u s/foo/moo/" bar`. An element whose first word is a program in $PATH is ' +
      'that program (run without a shell, as the daemon); anything else is a pipe of this namespace, or of another ' +
      'with ns//name. Several pipelines make trees: `plumb a b` and `plumb a c`. A pipeline ends when one of its ' +
      'programs exits. Without arguments, list the pipelines. Containers reach pipes through their fifos or ' +
      'consoles (a host program such as `cat /run/nanomega/<id>/fifo0`), not through cc.',
    async call(ctx, cmd) {
      const src = cmd.stringArgs.src;
      if (src === undefined) {
        const list = await ctx.deps.engine.call('plumb.list');
        return tableResponse(
          ['pipeline'],
          list.map((p) => [p]),
        );
      }
      await ctx.deps.engine.call('plumb.add', [src, ...(cmd.listArgs.dst ?? [])]);
      return errorResponse();
    },
  },
  {
    patterns: ['clear plumb [pipeline]...'],
    help: 'reset plumber state',
    helpLong: 'End one pipeline (its elements as given to plumb) or every pipeline of the namespace; their programs are killed.',
    async call(ctx, cmd) {
      await ctx.deps.engine.call('plumb.clear', cmd.listArgs.pipeline);
      return errorResponse();
    },
  },
  {
    patterns: [
      'pipe',
      'pipe <pipe> <mode,> <all,round-robin,random>',
      'pipe <pipe> <log,> <true,false>',
      'pipe <pipe> <via,> <command>...',
      'pipe <pipe> <data>',
    ],
    help: 'write to and modify named pipes',
    helpLong:
      'Write a message to a pipe (`pipe foo Hello pipes!`; quote a message with spaces), or set how it delivers: ' +
      'mode all (every reader), round-robin (one reader in turn) or random (one at random); via COMMAND runs a program ' +
      'on each message for each reader (its stdout is what the reader gets); log true logs every message. Without ' +
      'arguments, list the pipes of the namespace: name, mode, readers, writers, count, via and the previous message. ' +
      'Pipes in other namespaces are named ns//pipe.',
    async call(ctx, cmd) {
      const pipe = cmd.stringArgs.pipe;
      const a = cmd.boolArgs;
      const engine = ctx.deps.engine;
      if (pipe === undefined) {
        const rows = (await engine.call('pipe.list')).map((p) => [p.name, p.mode, String(p.readers), String(p.writers), String(p.count), p.via, p.previous]);
        return tableResponse(['name', 'mode', 'readers', 'writers', 'count', 'via', 'previous'], rows);
      }
      if (a.mode) {
        const mode: PipeMode = a['round-robin'] ? 'round-robin' : a.random ? 'random' : 'all';
        await engine.call('pipe.set', pipe, { mode });
      } else if (a.log) {
        await engine.call('pipe.set', pipe, { log: !!a.true });
      } else if (a.via) {
        await engine.call('pipe.set', pipe, { via: cmd.listArgs.command ?? [] });
      } else {
        await engine.call('pipe.write', pipe, cmd.stringArgs.data ?? '');
      }
      return errorResponse();
    },
  },
  {
    patterns: ['clear pipe [pipe]', 'clear pipe <pipe> <mode,>', 'clear pipe <pipe> <log,>', 'clear pipe <pipe> <via,>'],
    help: 'reset pipe state',
    helpLong:
      'Delete a pipe (ending the pipelines that read it; not while something writes to it), or every pipe of the ' +
      'namespace; with mode, log or via, reset only that setting.',
    async call(ctx, cmd) {
      const a = cmd.boolArgs;
      const what = a.mode ? 'mode' : a.log ? 'log' : a.via ? 'via' : undefined;
      await ctx.deps.engine.call('pipe.clear', cmd.stringArgs.pipe, what);
      return errorResponse();
    },
  },
];
