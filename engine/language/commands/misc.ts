/** `help`, `echo`, `clear all`, `quit`, `nuke`. */
import type { Handler } from '../handler.js';
import { helpText } from '../help.js';
import { lexInput } from '../input.js';
import { atoi } from '../../config/go-values.js';
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
  {
    patterns: ['quit [delay]'],
    help: 'quit nanomega',
    helpLong:
      'Tear down everything this daemon made, as minimega does (kill and forget every container of every ' +
      'namespace, stop dnsmasq servers and captures, delete host taps, container interfaces and the bridges it ' +
      'made), then stop the daemon. An optional DELAY defers it by that many seconds. To stop the daemon and ' +
      'keep the containers running (they are adopted again at its next start), stop it with SIGTERM instead.',
    async call(ctx, cmd) {
      const delay = cmd.stringArgs.delay === undefined ? 0 : atoi(cmd.stringArgs.delay);
      if (delay < 0) throw new Error(`quit: delay ${delay} is negative`);
      return textResponse(await ctx.deps.engine.call('engine.quit', delay));
    },
  },
  {
    patterns: ['nuke'],
    help: 'attempt to clean up after a crash',
    helpLong:
      'Kill every container of every namespace, stop dnsmasq servers and captures, remove the host taps, container ' +
      'interfaces, bridges and tunnels this daemon made (found by their records and by the tag the engine puts on ' +
      'each, so strays of an earlier crash go too), forget every container, then stop the daemon, as minimega ' +
      'does. Should be run with caution. minimega also removes its whole base directory; the files directory ' +
      '(images, captures) stays here. From the shell, `nanomega nuke` tears down the same, with or without a daemon, ' +
      'and leaves a running daemon running.',
    async call(ctx) {
      return textResponse(await ctx.deps.engine.call('engine.quit', 0));
    },
  },
];
