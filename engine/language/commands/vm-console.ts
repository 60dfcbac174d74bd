/**
 * `vm console send|expect|screen|record|stop|play`: scripting containers through their consoles, the
 * interface minimega's Containers article promises next to VNC scripting. Text for `send` takes
 * backslash escapes and key names (engine/console-script/keys.ts): `vm console send c0 "ls -l<enter>"`.
 */
import { decodeKeys } from '../../console-script/keys.js';
import type { Handler } from '../handler.js';
import { errorResponse, textResponse } from '../response.js';
import { resultErrors } from './vm-lifecycle.js';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("1m30s", "500ms"), or plain seconds; milliseconds. */
export function parseTimeout(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== s) throw new Error(`time: invalid duration ${JSON.stringify(s)}`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]!]!, 0);
}

export const vmConsoleHandlers: Handler[] = [
  {
    patterns: ['vm console send <vm target> <text>...'],
    help: "type text into containers' consoles",
    helpLong:
      // No backslash in the text itself: pyapigen copies help into Python docstrings, where \x and \u
      // are escapes of their own (a backslash and x with no hex digits does not compile).
      'Send the words (joined by spaces) to the consoles of the target containers as keystrokes. Escapes, each a ' +
      'backslash and: n, r, t, e (escape), xHH, uHHHH, or a second backslash; keys: <enter> <tab> <esc> <bs> <del> ' +
      '<up> <down> <left> <right> <home> <end> <pgup> <pgdn> <f1>…<f12> <ctrl-c> and every <ctrl-X>.',
    async call(ctx, cmd) {
      const data = decodeKeys(cmd.listArgs.text!.join(' '));
      return resultErrors(await ctx.deps.engine.call('console.send', cmd.stringArgs.vm!, data));
    },
  },
  {
    patterns: ['vm console expect <vm target> <regex> [timeout]'],
    help: 'wait for a console to print text matching a regex',
    helpLong:
      'Wait until each target console has printed text matching the regular expression (JavaScript syntax, multiline) ' +
      'since its previous match, control sequences left out. The timeout is a Go duration or seconds (default 10s).',
    async call(ctx, cmd) {
      const t = cmd.stringArgs.timeout;
      const ms = t === undefined || t === '' ? undefined : Math.round(parseTimeout(t));
      return resultErrors(await ctx.deps.engine.call('console.expect', cmd.stringArgs.vm!, cmd.stringArgs.regex!, ms));
    },
  },
  {
    patterns: ['vm console screen <vm name>'],
    help: "print a container's console screen as text",
    helpLong: 'The current screen of the console as text, drawn by a headless terminal emulator fed from the console stream.',
    async call(ctx, cmd) {
      return textResponse(await ctx.deps.engine.call('console.screen', cmd.stringArgs.vm!));
    },
  },
  {
    patterns: ['vm console record <vm name> <file>'],
    help: 'record keystrokes typed into a console',
    helpLong:
      'Record every keystroke typed into the console (GUI, web UI, vm console send) with its timing into FILE (relative ' +
      'to the files directory), one `<ms since the previous>:<keys>` line each, until `vm console stop`.',
    async call(ctx, cmd) {
      await ctx.deps.engine.call('console.record', cmd.stringArgs.vm!, cmd.stringArgs.file!);
      return errorResponse();
    },
  },
  {
    patterns: ['vm console stop <vm target>'],
    help: 'stop console recording and playback',
    async call(ctx, cmd) {
      return resultErrors(await ctx.deps.engine.call('console.stop', cmd.stringArgs.vm!));
    },
  },
  {
    patterns: ['vm console play <vm target> <file>'],
    help: 'replay recorded keystrokes on containers',
    helpLong: 'Replay a recording (vm console record) on every target console at once, with its timing; returns when all are done.',
    async call(ctx, cmd) {
      return resultErrors(await ctx.deps.engine.call('console.play', cmd.stringArgs.vm!, cmd.stringArgs.file!));
    },
  },
];
