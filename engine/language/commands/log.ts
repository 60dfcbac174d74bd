/**
 * `log level|stderr|file|ring|filter|syslog|mesh` and `clear log …` (minimega's log_cli.go): where the
 * daemon's log lines go. The daemon keeps them in engine/log/log-router.ts.
 */
import { atoi } from '../../config/go-values.js';
import type { LogChange, LogLevel } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { errorResponse, textResponse } from '../response.js';

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
const CLEARABLE = ['file', 'mesh', 'level', 'stderr', 'filter', 'syslog', 'ring'] as const;

export const logHandlers: Handler[] = [
  {
    patterns: ['log level [debug,info,warn,error,fatal]'],
    help: 'set or print the log level',
    helpLong:
      'Set the log level to one of [debug,info,warn,error,fatal], or print it. Lines of a lower level are dropped ' +
      "from every sink. nanomega's default is info (minimega's warn).",
    async call(ctx, cmd) {
      const level = LEVELS.find((l) => cmd.boolArgs[l]);
      if (!level) return textResponse((await ctx.deps.engine.call('log.config')).level);
      await ctx.deps.engine.call('log.config', { level: level as LogLevel });
      return errorResponse();
    },
  },
  {
    patterns: ['log stderr [true,false]'],
    help: 'enable or disable logging to stderr',
    helpLong: "The daemon's stderr is its log file when it runs in the background (`<base>/daemon.log`, or the journal).",
    async call(ctx, cmd) {
      if (!cmd.boolArgs.true && !cmd.boolArgs.false) return textResponse(String((await ctx.deps.engine.call('log.config')).stderr));
      await ctx.deps.engine.call('log.config', { stderr: cmd.boolArgs.true === true });
      return errorResponse();
    },
  },
  {
    patterns: ['log file [file]'],
    help: 'enable logging to a file',
    helpLong: 'Log to a file (an absolute path; appended to, made when missing). To disable file logging, call "clear log file".',
    async call(ctx, cmd) {
      const file = cmd.stringArgs.file;
      if (file === undefined) return textResponse((await ctx.deps.engine.call('log.config')).file);
      await ctx.deps.engine.call('log.config', { file });
      return errorResponse();
    },
  },
  {
    patterns: ['log mesh [node]'],
    help: 'enable logging to a mesh node',
    helpLong: "Sending the log to another host is not supported: each daemon keeps its own (see `mesh send` to read another's).",
    async call(_ctx, cmd) {
      if (cmd.stringArgs.node === undefined) return textResponse('mesh logging disabled');
      throw new Error(`node ${cmd.stringArgs.node} not in mesh`);
    },
  },
  {
    patterns: ['log ring [size]'],
    help: 'enable, disable, or dump log ring',
    helpLong:
      'The log ring keeps the most recent SIZE lines in memory when enabled (it is not by default). Without a size, ' +
      'print them. Re-enabling empties it. To disable it, call "clear log ring".',
    async call(ctx, cmd) {
      const size = cmd.stringArgs.size;
      if (size === undefined) return textResponse((await ctx.deps.engine.call('log.ring')).join('').replace(/\n$/, ''));
      await ctx.deps.engine.call('log.config', { ring: atoi(size) });
      return errorResponse();
    },
  },
  {
    patterns: ['log filter [filter]'],
    help: 'filter logging messages',
    helpLong: 'Drop every log line containing the text (`log filter foo`), or print the filters. "clear log filter" removes them.',
    async call(ctx, cmd) {
      const filter = cmd.stringArgs.filter;
      if (filter === undefined) {
        const { filters } = await ctx.deps.engine.call('log.config');
        return textResponse(filters.length ? `[${filters.join(' ')}]` : '');
      }
      await ctx.deps.engine.call('log.config', { filter });
      return errorResponse();
    },
  },
  {
    patterns: ['log syslog remote <tcp,udp> <address>', 'log syslog <local,>'],
    help: 'log to syslog',
    helpLong: "Log to the local syslog, or to a syslog server over UDP or TCP (`log syslog remote udp foo:514`), through Debian's logger(1).",
    async call(ctx, cmd) {
      const network = cmd.boolArgs.local ? 'local' : cmd.boolArgs.tcp ? 'tcp' : 'udp';
      await ctx.deps.engine.call('log.config', { syslog: network === 'local' ? { network } : { network, address: cmd.stringArgs.address! } });
      return errorResponse();
    },
  },
  {
    patterns: ['clear log', ...CLEARABLE.map((k) => `clear log <${k},>`)],
    help: 'reset state for logging',
    helpLong:
      'Reset one setting, or (no argument) every one: no file, no syslog, the default level, no ring, no filters, and — ' +
      "as minimega — no stderr, so a daemon's own log file stays quiet until `log stderr true`.",
    async call(ctx, cmd) {
      const which = CLEARABLE.filter((k) => cmd.boolArgs[k]);
      const all = which.length === 0;
      const change: LogChange = {};
      if (all || which.includes('file')) change.file = null;
      if (all || which.includes('syslog')) change.syslog = null;
      if (all || which.includes('level')) change.level = null;
      if (all || which.includes('stderr')) change.stderr = false;
      if (all || which.includes('ring')) change.ring = null;
      if (all || which.includes('filter')) change.clearFilters = true;
      await ctx.deps.engine.call('log.config', change);
      return errorResponse();
    },
  },
];
