/**
 * `shell` and `background`: host programs run with their arguments exactly as written (no shell, so
 * quotes survive), looked up in $PATH like Go's exec.LookPath; minimega's texts for failures. Both run as
 * the daemon's user (root): anyone who may talk to the daemon may run anything.
 */
import type { CallContext, Handler } from '../handler.js';
import { BACKGROUND_HEADER, jobRow } from '../background.js';
import { exitError } from '../host.js';
import { type Response, tableResponse, textResponse } from '../response.js';

async function lookUp(ctx: CallContext, argv: string[]): Promise<string[]> {
  const path = await ctx.deps.host.lookPath(argv[0]!, ctx.state.env('PATH') ?? '');
  return [path, ...argv.slice(1)];
}

/** Go's strconv.ParseInt(s, 10, 64) for a job id. */
function jobId(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: ${/^[+-]?[0-9]+$/.test(s) ? 'value out of range' : 'invalid syntax'}`);
  }
  return Number(s);
}

function finishedJob(ctx: CallContext, id: string) {
  const job = ctx.state.background.get(jobId(id));
  if (!job) throw new Error('provided id does not exist in background process table');
  if (job.running) throw new Error('wait for process to finish before reading output');
  return job;
}

export const shellHandlers: Handler[] = [
  {
    patterns: ['shell <command>...'],
    help: 'execute a command',
    helpLong:
      'Run a host program as the daemon (root) and print its output once it ends: `shell ip link show`. The words ' +
      'are its arguments as written; there is no shell, so use `shell sh -c "a | b"` for pipes. A failure prints ' +
      'only `exit status N`; standard error output is printed as the error.',
    async call(ctx, cmd) {
      const argv = await lookUp(ctx, cmd.listArgs.command!);
      const r = await ctx.deps.host.run(argv, ctx.state.envObject());
      const failed = exitError(r);
      if (failed) throw new Error(failed);
      const out: Response = { text: r.stdout, errors: r.stderr ? [r.stderr] : [] };
      return out;
    },
  },
  {
    patterns: ['background <command>...'],
    help: 'execute a command in the background',
    helpLong: 'Start a host program and return at once with its id; `background-status`, `background-output` and `background-error` follow it.',
    async call(ctx, cmd) {
      const argv = await lookUp(ctx, cmd.listArgs.command!);
      const jobs = ctx.state.background;
      const pending: { job?: ReturnType<typeof jobs.add> } = {};
      const { pid } = ctx.deps.host.start(argv, ctx.state.envObject(), (r) => {
        if (pending.job) jobs.finish(pending.job, r);
      });
      pending.job = jobs.add(pid, argv.join(' '));
      return textResponse(`Started background process with id ${pending.job.id}`);
    },
  },
  {
    patterns: ['background-status [id]'],
    help: 'Get the status of background commands',
    async call(ctx, cmd) {
      const id = cmd.stringArgs.id;
      if (id === undefined || id === '') return tableResponse(BACKGROUND_HEADER, ctx.state.background.all().map(jobRow));
      const job = ctx.state.background.get(jobId(id));
      if (!job) throw new Error('provided id does not exist in background process table');
      return tableResponse(BACKGROUND_HEADER, [jobRow(job)]);
    },
  },
  {
    patterns: ['background-output <id>'],
    help: 'Get the stdout of a background command',
    async call(ctx, cmd) {
      return textResponse(finishedJob(ctx, cmd.stringArgs.id!).stdout);
    },
  },
  {
    patterns: ['background-error <id>'],
    help: 'Get the stderr of a background command',
    async call(ctx, cmd) {
      return textResponse(finishedJob(ctx, cmd.stringArgs.id!).stderr);
    },
  },
  {
    patterns: ['clear background-status'],
    help: 'Clear background-status information',
    async call(ctx) {
      return textResponse(`Cleared ${ctx.state.background.clearFinished()} elements from background-status`);
    },
  },
];
