/** `help`, `echo`, `clear all`. */
import type { Handler } from '../handler.js';
import { helpText } from '../help.js';
import { lexInput } from '../input.js';
import { errorResponse, textResponse } from '../response.js';
import { resetNamespace } from './namespace-reset.js';

export const miscHandlers: Handler[] = [
  {
    patterns: ['help [command]...'],
    help: 'show command help',
    helpLong: 'Show help on a command. Without arguments, list every command with a one-line summary.',
    async call(ctx, cmd) {
      const words = cmd.listArgs.command;
      const input = (words ?? []).join(' ');
      const matches = words === undefined ? undefined : ctx.session.helpMatches(lexInput(input));
      return textResponse(helpText(ctx.session.handlers, matches, input));
    },
  },
  {
    patterns: ['echo [args]...'],
    help: 'display input text after comment removal',
    helpLong: 'Print the arguments, joined by single spaces, after quotes, comments and $VAR are processed.',
    async call(_ctx, cmd) {
      return textResponse((cmd.listArgs.args ?? []).join(' '));
    },
  },
  {
    patterns: ['clear all'],
    help: 'reset all resettable state',
    helpLong:
      'Kill every dnsmasq, kill and forget every container, delete the host taps, reset vm config and forget saved ' +
      'configs, clear the plumbing and pipes ' +
      'and, last, the history: as close to a fresh daemon as a running one gets.',
    async call(ctx) {
      // minimega's order: dnsmasq first, then every namespace with its host taps (ours are not per
      // namespace: all of them), then the rest.
      await ctx.deps.engine.call('dnsmasq.kill', 'all');
      await resetNamespace(ctx);
      await ctx.deps.engine.call('tap.mirror.clear', {});
      await ctx.deps.engine.call('tap.delete', 'all');
      for (const line of ['clear plumb', 'clear pipe']) {
        const chunks = await ctx.session.run(ctx.session.compile(line));
        const err = chunks.flatMap((c) => c.response.errors)[0];
        if (err) throw new Error(err);
      }
      // Last, as minimega does; `clear all` itself is then recorded.
      ctx.state.history = [];
      return errorResponse();
    },
  },
];
