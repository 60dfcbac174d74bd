/**
 * minicli's built-in dot-commands: output flags (`.annotate .compress .csv .headers .json .sort`), table
 * transforms (`.filter .columns`), `.record`, `.preprocess`, `.alias`/`.unalias` and `.env`. Each flag
 * command given only true/false changes the default for everyone; given a command after it, only that
 * command's output.
 */
import type { Chunk, Command, Handler } from '../handler.js';
import { applyColumns, applyFilter, parseFilter } from '../render.js';
import { type Flags, type OutputMode, errorResponse, tableResponse, textResponse } from '../response.js';

type BoolFlag = 'annotate' | 'compress' | 'headers' | 'sort';

function flagHandler(name: string, flag: BoolFlag, help: string, helpLong?: string): Handler {
  return {
    patterns: [`.${name} [true,false]`, `.${name} <true,false> (command)`],
    help,
    ...(helpLong ? { helpLong } : {}),
    async call(ctx, cmd) {
      if (cmd.boolArgs.true || cmd.boolArgs.false) {
        ctx.state.flags[flag] = !!cmd.boolArgs.true;
        return errorResponse();
      }
      return textResponse(String(ctx.state.flags[flag]));
    },
    wrap: {
      before: (_ctx, _cmd, inner) => void (inner.record = false),
      after: (_ctx, cmd, chunk) => ({ ...chunk, flags: { ...chunk.flags, [flag]: !!cmd.boolArgs.true } }),
    },
  };
}

function modeHandler(mode: Exclude<OutputMode, 'default'>, help: string, helpLong: string): Handler {
  return {
    patterns: [`.${mode} [true,false]`, `.${mode} <true,false> (command)`],
    help,
    helpLong,
    async call(ctx, cmd) {
      if (cmd.boolArgs.true) ctx.state.flags.mode = mode;
      else if (cmd.boolArgs.false) {
        if (ctx.state.flags.mode === mode) ctx.state.flags.mode = 'default';
      } else return textResponse(String(ctx.state.flags.mode === mode));
      return errorResponse();
    },
    wrap: {
      before: (_ctx, _cmd, inner) => void (inner.record = false),
      after(ctx, cmd, chunk): Chunk {
        const current = chunk.flags.mode ?? ctx.state.flags.mode;
        const flags: Partial<Flags> = { ...chunk.flags };
        if (cmd.boolArgs.true) flags.mode = mode;
        else if (current === mode) flags.mode = 'default';
        return { ...chunk, flags };
      },
    },
  };
}

/** Mark every level of a command chain. */
function setAll(cmd: Command | undefined, key: 'preprocess', value: boolean): void {
  for (let c = cmd; c; c = c.subcommand) c[key] = value;
}

export const builtinHandlers: Handler[] = [
  modeHandler('csv', 'enable or disable CSV mode', 'Enable or disable CSV mode. Enabling CSV mode disables JSON mode, if enabled.'),
  modeHandler(
    'json',
    'enable or disable JSON mode',
    'Enable or disable JSON mode. Enabling JSON mode disables CSV mode, if enabled. Each response is printed as [{"Host","Response","Header","Tabular","Error","Data"}]; Data holds the structured value behind the text (vm info: the VMs; vm config: the configuration).',
  ),
  flagHandler('headers', 'headers', 'enable or disable headers for tabular data'),
  flagHandler(
    'annotate',
    'annotate',
    'enable or disable hostname annotation',
    'Enable or disable hostname annotation for responses: a host column in tables and a `host: ` prefix on text.',
  ),
  flagHandler(
    'sort',
    'sort',
    'enable or disable sorting of tabular data',
    'Enable or disable sorting of tabular data by the first column, then the next (numerically where both cells are integers).',
  ),
  flagHandler(
    'compress',
    'compress',
    'enable or disable output compression',
    'Enable or disable compression of identical output from several hosts (one host here: the flag is kept for scripts).',
  ),
  {
    patterns: ['.filter <filter> (command)'],
    help: 'filter tabular data by column value',
    helpLong:
      'Keep the rows whose column matches: `.filter state=running vm info`, inverted with `!=`, substring with `~` and `!~`. ' +
      'Case-insensitive; a column may be named by a unique prefix; lists and maps (`[…]`, `{…}`) match by substring. Filters stack.',
    wrap: {
      before: (_ctx, _cmd, inner) => void (inner.record = false),
      after: (ctx, cmd, chunk) => ({ ...chunk, response: applyFilter(chunk.response, parseFilter(cmd.stringArgs.filter!), ctx.deps.hostname) }),
    },
  },
  {
    patterns: ['.columns <columns as csv> (command)'],
    help: 'show certain columns from tabular data',
    helpLong: 'Keep only the named columns, in that order: `.columns name,state vm info`. A column may be named by a unique prefix.',
    wrap: {
      before: (_ctx, _cmd, inner) => void (inner.record = false),
      after: (_ctx, cmd, chunk) => ({ ...chunk, response: applyColumns(chunk.response, cmd.stringArgs.columns!) }),
    },
  },
  {
    patterns: ['.record [true,false]', '.record <true,false> (command)'],
    help: 'enable or disable history recording',
    helpLong: 'Enable or disable recording commands in the history, for the next commands or for one command.',
    async call(ctx, cmd) {
      if (cmd.boolArgs.true || cmd.boolArgs.false) {
        ctx.state.commandFlags.record = !!cmd.boolArgs.true;
        // `.record false` itself is not recorded.
        if (cmd.boolArgs.false) cmd.record = false;
        return errorResponse();
      }
      return textResponse(String(ctx.state.commandFlags.record));
    },
    wrap: {
      before(_ctx, cmd, inner) {
        cmd.record = !!cmd.boolArgs.true;
        inner.record = false;
      },
    },
  },
  {
    patterns: ['.preprocess [true,false]', '.preprocess <true,false> (command)'],
    help: 'enable or disable preprocessor',
    helpLong:
      'Enable or disable the preprocessor, which expands $VAR and ${VAR} in arguments and replaces file:NAME ' +
      '(and http://host/NAME) with the path of NAME in the files directory.',
    async call(ctx, cmd) {
      if (cmd.boolArgs.true || cmd.boolArgs.false) {
        ctx.state.commandFlags.preprocess = !!cmd.boolArgs.true;
        return errorResponse();
      }
      return textResponse(String(ctx.state.commandFlags.preprocess));
    },
    wrap: {
      before(_ctx, cmd, inner) {
        setAll(inner, 'preprocess', !!cmd.boolArgs.true);
        inner.record = false;
      },
    },
  },
  {
    patterns: ['.alias', '.alias <alias>...'],
    help: 'create an alias',
    helpLong:
      'Create an alias: `.alias vmr=.filter state=running vm info` makes `vmr` run that line. Only the first word ' +
      'of a line typed by a client is replaced, once (an alias never expands inside its own expansion, nor in ' +
      '`read` scripts). Without arguments, list the aliases.',
    async call(ctx, cmd) {
      const alias = (cmd.listArgs.alias ?? []).join(' ');
      if (alias === '') {
        return tableResponse(
          ['alias', 'expansion'],
          [...ctx.state.aliases.entries()].map(([k, v]) => [k, v]),
        );
      }
      const eq = alias.indexOf('=');
      if (eq < 0) throw new Error('expected alias of format `alias=expansion`');
      ctx.state.aliases.set(alias.slice(0, eq), alias.slice(eq + 1));
      return errorResponse();
    },
  },
  {
    patterns: ['.unalias <alias>'],
    help: 'remove an alias',
    async call(ctx, cmd) {
      ctx.state.aliases.delete(cmd.stringArgs.alias!);
      return errorResponse();
    },
  },
  {
    patterns: ['.env [name]', '.env <name> <value>'],
    help: 'print or set env variables',
    helpLong: 'Print every variable, print one, or set one (`.env NAME ""` unsets it). $VAR in arguments expands from these.',
    async call(ctx, cmd) {
      const name = cmd.stringArgs.name;
      const value = cmd.stringArgs.value;
      if (value !== undefined) {
        ctx.state.envOverlay.set(name!, value === '' ? null : value);
        return errorResponse();
      }
      if (name !== undefined) return textResponse(ctx.state.env(name) ?? '');
      return tableResponse(['key', 'value'], ctx.state.envEntries());
    },
  },
];
