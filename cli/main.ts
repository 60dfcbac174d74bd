// The `nanomega` program: global options, then one subcommand per file in cli/commands/.
// Each subcommand is imported only when it runs, so `nanomega -e` does not load the daemon. `--help`
// imports them all for their summaries, so a subcommand file imports what only its run needs (the
// daemon, the engine, the web server) inside run.
import { DEFAULT_BASE, fail, parseArgs } from './args.js';
import type { Subcommand } from './subcommand.js';

/** Subcommands in the order `nanomega --help` lists them. */
const SUBCOMMANDS: Record<string, () => Promise<{ command: Subcommand }>> = {
  serve: () => import('./commands/serve.js'),
  web: () => import('./commands/web.js'),
  '-e': () => import('./commands/execute.js'),
  attach: () => import('./commands/attach.js'),
  console: () => import('./commands/console.js'),
  exec: () => import('./commands/exec.js'),
  test: () => import('./commands/test.js'),
  rootfs: () => import('./commands/rootfs.js'),
  image: () => import('./commands/image.js'),
  nuke: () => import('./commands/nuke.js'),
  cluster: () => import('./commands/cluster.js'),
  doctor: () => import('./commands/doctor.js'),
  start: () => import('./commands/start.js'),
  '-cli': () => import('./commands/cli-doc.js'),
};

const USAGE_WIDTH = 28;

function describe(c: Subcommand): string {
  const [first, ...more] = c.summary.split('\n');
  const pad = ' '.repeat(USAGE_WIDTH + 2);
  const head = c.usage.length < USAGE_WIDTH ? `  ${c.usage.padEnd(USAGE_WIDTH)}${first}` : `  ${c.usage}\n${pad}${first}`;
  return [head, ...more.map((l) => pad + l)].join('\n');
}

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(SUBCOMMANDS).map(async (load) => (await load()).command));
  return [
    'usage: nanomega [--base DIR] <command>',
    ...all.map(describe),
    `options may appear before or after the command; --base defaults to $NANOMEGA_BASE or ${DEFAULT_BASE}`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [name, ...rest] = args.rest;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write((await usage()) + '\n');
    return name ? 0 : 1;
  }
  const load = SUBCOMMANDS[name];
  if (!load) fail(`unknown command \`${name}\`\n${await usage()}`);
  const { command } = await load();
  if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
    const summary = command.summary
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    process.stdout.write(`usage: nanomega ${command.usage}\n${summary}\n`);
    return 0;
  }
  if (command.options) {
    const unknown = rest.find((a) => a.startsWith('-') && a !== '-' && !command.options!.includes(a));
    if (unknown !== undefined) fail(`${name}: unknown option \`${unknown}\` (see nanomega ${name} --help)`, 2);
  }
  return command.run(args, rest);
}

/**
 * Exit once stdout has taken everything: a pipe takes 64 KiB at a time, and process.exit drops what
 * is still queued (`nanomega -cli | …`, a large `-e` answer). A write's callback runs after the
 * writes before it.
 */
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterOutput, (e: Error) => fail(e.message));
