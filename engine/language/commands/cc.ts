/**
 * `cc …` and `clear cc …`: minimega's command and control, with its patterns, texts and tables. The
 * clients are the running containers with `vm config backchannel` on; commands run through each
 * container's monitor (nothing is installed in the image), files land in /tmp/miniccc/files as
 * miniccc puts them, responses under the files directory's miniccc_responses/.
 */
import type { CcCommandInfo, CcCommandSpec } from '../../api/types.js';
import { filterRow, filterString, parseFilter } from '../../cc/filter.js';
import type { CallContext, Command, Handler } from '../handler.js';
import { errorResponse, tableResponse, textResponse, type Response } from '../response.js';

/** Go's %v of a []string. */
const goList = (xs: readonly string[]): string => `[${xs.join(' ')}]`;

/** Keys of the stdio plumbing miniccc connects to named pipes (ccCommandPreProcess). */
const PLUMB_KEYS = ['stdin', 'stdout', 'stderr'];

type Plumbing = { stdin?: string; stdout?: string; stderr?: string };

/**
 * minimega's ccCommandPreProcess: up to three leading stdin=/stdout=/stderr= words name the pipes a
 * command's stdio is tied to (the value is what follows the first `=`, as Go's Split gives f[1]).
 */
function splitPlumbing(words: string[]): { plumbing: Plumbing; command: string[] } {
  const plumbing: Record<string, string> = {};
  let i = 0;
  for (; i < 3 && i < words.length; i++) {
    const f = words[i]!.split('=');
    if (f.length === 1 || !PLUMB_KEYS.includes(f[0]!)) break;
    plumbing[f[0]!] = f[1]!;
  }
  return { plumbing, command: words.slice(i) };
}

async function post(ctx: CallContext, spec: CcCommandSpec): Promise<Response> {
  await ctx.deps.engine.call('cc.command', ctx.ns.name, spec);
  return errorResponse();
}

function execSpec(cmd: Command, background: boolean, once: boolean): CcCommandSpec {
  const { plumbing, command } = splitPlumbing(cmd.listArgs.command!);
  if (command.length === 0) throw new Error('cc: no command');
  return { kind: 'exec', command, background, once, ...plumbing };
}

/** The `command` column: the argv, as minimega prints Command ([] for file transfers and kills). */
function commandCell(c: CcCommandInfo): string {
  return goList(c.spec.kind === 'exec' ? c.spec.command : []);
}

function commandsTable(cmds: CcCommandInfo[]): Response {
  const header = ['id', 'prefix', 'command', 'responses', 'background', 'once', 'sent', 'received', 'connectivity', 'level', 'filter'];
  return tableResponse(
    header,
    cmds.map((c) => [
      String(c.id),
      c.prefix,
      commandCell(c),
      String(c.checkedIn.length),
      String(c.spec.kind === 'exec' && c.spec.background),
      String(c.spec.kind === 'exec' && c.spec.once),
      goList(c.spec.kind === 'send' ? c.spec.files : []),
      goList(c.spec.kind === 'recv' ? c.spec.files : []),
      '',
      '',
      filterString(c.filter),
    ]),
  );
}

/** The verbs of `cc` that need something containers do not have. */
function unsupported(what: string): never {
  throw new Error(`cc ${what}: not supported for containers (use vm exec, nanomega exec or cc send/recv)`);
}

async function ccCall(ctx: CallContext, cmd: Command): Promise<Response> {
  const b = cmd.boolArgs;
  const s = cmd.stringArgs;
  const ns = ctx.ns.name;
  const engine = ctx.deps.engine;
  if (b.clients) {
    const clients = await engine.call('cc.clients', ns);
    return tableResponse(
      ['uuid', 'hostname', 'arch', 'os', 'ip', 'mac'],
      clients.map((c) => [c.uuid, c.hostname, c.arch, c.os, goList(c.ip), goList(c.mac)]),
    );
  }
  if (b.filter) {
    const pairs = cmd.listArgs.filter ?? [];
    if (pairs.length > 0) {
      await engine.call('cc.filter', ns, parseFilter(pairs));
      return errorResponse();
    }
    const { filter } = await engine.call('cc.state', ns);
    return filter ? tableResponse(['uuid', 'hostname', 'arch', 'os', 'ip', 'mac', 'tags'], [filterRow(filter)]) : errorResponse();
  }
  if (b.commands) return commandsTable(await engine.call('cc.commands', ns));
  if (b.prefix) {
    if (s.prefix !== undefined) {
      await engine.call('cc.prefix', ns, s.prefix);
      return errorResponse();
    }
    return textResponse((await engine.call('cc.state', ns)).prefix);
  }
  if (b.send) return post(ctx, { kind: 'send', files: cmd.listArgs.file! });
  if (b.recv) return post(ctx, { kind: 'recv', files: cmd.listArgs.file! });
  if (b.exec) return post(ctx, execSpec(cmd, false, false));
  if (b['exec-once']) return post(ctx, execSpec(cmd, false, true));
  if (b.background) return post(ctx, execSpec(cmd, true, false));
  if (b['background-once']) return post(ctx, execSpec(cmd, true, true));
  if (b.process) {
    if (b.kill) {
      if (s.pid === 'all') return post(ctx, { kind: 'kill', pid: -1 });
      const pid = /^[+-]?\d+$/.test(s.pid!) ? Number(s.pid) : NaN;
      if (!Number.isSafeInteger(pid)) throw new Error(`invalid PID: \`${s.pid}\``);
      return post(ctx, { kind: 'kill', pid });
    }
    if (b.killall) return post(ctx, { kind: 'killall', name: s.name! });
    const procs = await engine.call('cc.processes', ns, s.vm!);
    return tableResponse(
      ['name', 'uuid', 'pid', 'command'],
      procs.map((p) => [p.name, p.uuid, String(p.pid), p.command.join(' ')]),
    );
  }
  if (b.responses) return textResponse(await engine.call('cc.responses', ns, s.id!, b.raw ?? false));
  if (b.exitcode) {
    const id = /^[+-]?\d+$/.test(s.id!) ? Number(s.id) : NaN;
    if (!Number.isSafeInteger(id)) throw new Error('invalid command ID provided');
    return textResponse(String(await engine.call('cc.exitcode', ns, id, s.vm!)));
  }
  if (b.delete) {
    await engine.call('cc.delete', ns, b.command ? 'command' : 'response', s.id!);
    return errorResponse();
  }
  if (b.log) return errorResponse(); // miniccc's log level: there is no agent to set it on.
  if (b.tunnel || b.rtunnel) unsupported('tunnel');
  if (b['test-conn']) unsupported('test-conn');
  if (b.listen) unsupported('listen');
  const { clients } = await engine.call('cc.state', ns);
  return tableResponse(['clients'], [[String(clients)]]);
}

export const ccHandlers: Handler[] = [
  {
    patterns: [
      'cc',
      'cc <listen,> <port>',
      'cc <clients,>',
      'cc <filter,> [filter]...',
      'cc <commands,>',
      'cc <prefix,> [prefix]',
      'cc <send,> <file>...',
      'cc <recv,> <file>...',
      'cc <exec,> <command>...',
      'cc <exec-once,> <command>...',
      'cc <background,> <command>...',
      'cc <background-once,> <command>...',
      'cc <process,> <list,> <vm name or uuid or all>',
      'cc <process,> <kill,> <pid or all>',
      'cc <process,> <killall,> <name>',
      'cc <log,> level <debug,info,warn,error,fatal>',
      'cc <responses,> <id or prefix or all> [raw,]',
      'cc <exitcode,> <id> <vm name or hostname or uuid>',
      'cc <tunnel,> <vm name or uuid> <src port> <host> <dst port>',
      'cc <tunnel,> <close,> <vm name or uuid> <id>',
      'cc <tunnel,> <list,> <vm name or uuid or all>',
      'cc <rtunnel,> <src port> <host> <dst port>',
      'cc <delete,> <command,> <id or prefix or all>',
      'cc <delete,> <response,> <id or prefix or all>',
      'cc <test-conn,> <tcp,udp> <ip or fqdn> <port> wait <timeout> [base64 udp packet]',
    ],
    help: 'command and control commands',
    helpLong:
      'Command and control for running containers, with nothing installed in the image: every running container ' +
      'with `vm config backchannel` on is a client. `cc exec`/`cc background` run a command in each client that ' +
      "matches the filter (`cc filter uuid= hostname= arch= os= ip= mac= tag=k:v`), under its init's confinement; " +
      '`cc send` copies files from the files directory to /tmp/miniccc/files in the containers, `cc recv` copies ' +
      'container files back. Commands are durable and delivered in order, once per container start, also to ' +
      'containers started later (`-once`: only to the clients of the moment). Responses are under ' +
      '<files>/miniccc_responses/<id>/<uuid>/ (`cc responses`). `cc process list|kill|killall` track background ' +
      'commands. tunnel, test-conn and listen need the miniccc agent and are not supported.',
    async call(ctx, cmd) {
      return ccCall(ctx, cmd);
    },
  },
  {
    patterns: ['cc mount', 'cc mount <uuid or name> [path]', 'clear cc mount [uuid or name or path]'],
    help: 'mount a VM filesystem (not for containers)',
    helpLong: "Not supported for containers: a container's files are on the host (its overlay) and reachable with cc send/recv.",
    async call(ctx, cmd) {
      if (cmd.words[0] === 'cc' && cmd.words.length === 2) return tableResponse(['name', 'uuid', 'addr', 'path'], []);
      unsupported('mount');
    },
  },
  {
    patterns: ['clear cc', 'clear cc <commands,>', 'clear cc <filter,>', 'clear cc <prefix,>', 'clear cc <responses,>'],
    help: 'reset command and control state',
    helpLong: 'Reset the commands (and the id counter), the filter, the prefix and/or the responses; all of them without an argument.',
    async call(ctx, cmd) {
      const b = cmd.boolArgs;
      const what = b.commands ? 'commands' : b.filter ? 'filter' : b.prefix ? 'prefix' : b.responses ? 'responses' : undefined;
      await ctx.deps.engine.call('cc.clear', ctx.ns.name, what);
      return errorResponse();
    },
  },
];
