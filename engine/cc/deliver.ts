/**
 * Running one cc command on one client: files sent into the container, processes killed, a command
 * run in the foreground (response: stdout, stderr, exitcode) or started in the background (tracked
 * until it ends), files received back. Every container access is an exec session of its monitor, so
 * it has the container's confinement and resolves paths inside the container's root.
 */
import { createReadStream, type WriteStream } from 'node:fs';
import { constants } from 'node:os';
import { stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { CcCommandInfo } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { ExecExit, ShimExecHandle } from '../shim/shim.js';

const ENOENT = constants.errno.ENOENT;
import type { CcProcesses } from './processes.js';
import type { ResponseFiles } from './responses.js';

/** Where files sent with `cc send` land in the container: miniccc's default -path, files/ under it. */
export const CC_FILES_DIR = '/tmp/miniccc/files';
/** Commands are looked up in init's PATH, then in the sent files, as miniccc's lookPath does. */
const CC_PATH = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${CC_FILES_DIR}`;
/** Output kept per stream of a foreground command (a response file each). */
const RESPONSE_MAX = 16 << 20;
/** Glob characters of filepath.Glob in a `cc recv` path. */
const GLOB = /[*?[]/;

/** The plumber's named pipes as a command's stdio uses them (miniccc's plumber reader and writer). */
export interface CcPipes {
  openReader(name: string, onMessage: (value: string) => void): () => void;
  openWriter(name: string): { write(value: string): Promise<void>; close(): void };
}

export interface DeliveryEnv {
  ctx: EngineContext;
  /** Named pipes for `stdin=`/`stdout=`/`stderr=` (absent: such commands get an error response). */
  pipes?: CcPipes;
  responses: ResponseFiles;
  processes: CcProcesses;
  /** Where `cc send` names are looked up on the host: the namespace's files directory, then the global one. */
  sendDirs: string[];
  /** Exec session token of a command's run on a client (attachable after a daemon restart). */
  token(kind: 'c' | 'b', id: number, uuid: string): string;
  /** A background process started (journal it before it is listed). */
  started(p: { token: string; uuid: string; inc: number; pid: number; command: string[] }): Promise<void>;
  /** It ended. */
  ended(token: string): void;
}

/** The outcome the progress view shows. */
export interface Delivered {
  code?: number;
  error?: string;
}

function exitCode(e: ExecExit): number {
  return e.code ?? (e.signal !== undefined ? -1 : -1);
}

/**
 * A response file written as the output arrives (created on the first byte, as minimega writes
 * stdout/stderr only when not empty): what a daemon killed mid-command had received is on disk, and
 * the rest, collected after the restart, is appended.
 */
class ResponseStream {
  private size = 0;
  private stream?: WriteStream;
  private failed?: Error;

  constructor(private readonly open: () => Promise<WriteStream>) {}

  private opening?: Promise<WriteStream>;

  add(b: Buffer): void {
    if (this.size >= RESPONSE_MAX || this.failed) return;
    const part = b.subarray(0, RESPONSE_MAX - this.size);
    this.size += part.length;
    this.opening ??= this.open().then((s) => {
      s.on('error', (e) => (this.failed = e));
      return (this.stream = s);
    });
    void this.opening.then(
      (s) => s.write(part),
      (e: Error) => (this.failed = e),
    );
  }

  async close(): Promise<void> {
    if (!this.opening) return;
    const s = await this.opening.catch(() => undefined);
    if (s) await new Promise<void>((resolve) => s.end(resolve));
    if (this.failed) throw this.failed;
  }
}

/**
 * Output lines into a named pipe, one message per line as miniccc's scanner sends them (a last line
 * without its newline gets one at the end).
 */
class PipeLines {
  private rest = '';
  private readonly w: ReturnType<CcPipes['openWriter']>;

  constructor(pipes: CcPipes, name: string) {
    this.w = pipes.openWriter(name);
  }

  add(b: Buffer): void {
    const lines = (this.rest + b.toString('utf8')).split('\n');
    this.rest = lines.pop()!;
    for (const l of lines) this.w.write(`${l}\n`).catch(() => undefined);
  }

  close(): void {
    if (this.rest !== '') this.w.write(`${this.rest}\n`).catch(() => undefined);
    this.rest = '';
    this.w.close();
  }
}

type ExecSpecOf = Extract<CcCommandInfo['spec'], { kind: 'exec' }>;

/**
 * A command's stdio tied to named pipes (`cc exec stdin=a stdout=b …`): stdout/stderr lines become
 * messages of their pipes instead of response files; stdin is fed from its pipe's messages once the
 * process runs. close() lets go of the pipes when it has ended.
 */
class Plumbing {
  readonly stdout?: PipeLines;
  readonly stderr?: PipeLines;
  private stopReading?: () => void;

  constructor(
    private readonly pipes: CcPipes | undefined,
    private readonly spec: ExecSpecOf,
  ) {
    if ((spec.stdin || spec.stdout || spec.stderr) && !pipes) throw new Error('cc: named pipes are not available');
    if (spec.stdout) this.stdout = new PipeLines(pipes!, spec.stdout);
    if (spec.stderr) this.stderr = new PipeLines(pipes!, spec.stderr);
  }

  get stdin(): boolean {
    return this.spec.stdin !== undefined;
  }

  /** The process runs: its stdin reads the pipe from now on. */
  feed(x: ShimExecHandle): void {
    if (!this.spec.stdin) return;
    this.stopReading = this.pipes!.openReader(this.spec.stdin, (v) => void x.write(v).catch(() => undefined));
  }

  close(): void {
    this.stopReading?.();
    this.stdout?.close();
    this.stderr?.close();
  }
}

/** A foreground command run to its end (or, after a restart, attached again by token). */
async function runForeground(env: DeliveryEnv, cmd: CcCommandInfo, c: Container, spec: ExecSpecOf, attach: boolean): Promise<Delivered> {
  const argv = spec.command;
  const dir = env.ctx.store.dir(c.rec.id);
  const out = new ResponseStream(() => env.responses.append(cmd.id, c.rec.uuid, 'stdout'));
  const err = new ResponseStream(() => env.responses.append(cmd.id, c.rec.uuid, 'stderr'));
  let io: Plumbing;
  try {
    io = new Plumbing(env.pipes, spec);
  } catch (e) {
    await env.responses.write(cmd.id, c.rec.uuid, { stderr: (e as Error).message, code: -1 });
    return { code: -1, error: (e as Error).message };
  }
  const handlers = {
    stdout: (b: Buffer) => (io.stdout ? io.stdout.add(b) : out.add(b)),
    stderr: (b: Buffer) => (io.stderr ? io.stderr.add(b) : err.add(b)),
  };
  const token = env.token('c', cmd.id, c.rec.uuid);
  const start = async () => {
    const x = await env.ctx.shim.exec(dir, { argv, env: [`PATH=${CC_PATH}`], stdin: io.stdin, token, detach: true }, handlers);
    io.feed(x);
    return x;
  };
  let result: Delivered;
  try {
    let x: ShimExecHandle;
    if (attach) {
      // ENOENT: the monitor never saw it start (the daemon died first): it runs now, for the first time.
      x = await env.ctx.shim.execAttach(dir, token, handlers);
      const e = await x.exit.catch((e: EngineError) => e);
      if (e instanceof EngineError && e.detail.errno === ENOENT) x = await start();
    } else x = await start();
    result = { code: exitCode(await x.exit) };
  } catch (e) {
    // miniccc: a command that cannot start has its error as stderr and exit code -1.
    err.add(Buffer.from((e as Error).message));
    result = { code: -1, error: (e as Error).message };
  }
  io.close();
  await out.close();
  await err.close();
  await env.responses.write(cmd.id, c.rec.uuid, { code: result.code });
  return result;
}

async function startBackground(env: DeliveryEnv, cmd: CcCommandInfo, c: Container, spec: ExecSpecOf, attach: boolean): Promise<Delivered> {
  const argv = spec.command;
  const token = env.token('b', cmd.id, c.rec.uuid);
  const discard = () => undefined;
  const dir = env.ctx.store.dir(c.rec.id);
  let x: ShimExecHandle;
  let io: Plumbing | undefined;
  try {
    if (attach && env.processes.has(token)) return {}; // re-adopted from the journal already
    io = new Plumbing(env.pipes, spec);
    const pio = io;
    const handlers = { stdout: (b: Buffer) => pio.stdout?.add(b) ?? discard(), stderr: (b: Buffer) => pio.stderr?.add(b) ?? discard() };
    const start = async () => {
      const x = await env.ctx.shim.exec(dir, { argv, env: [`PATH=${CC_PATH}`], stdin: pio.stdin, token, detach: true }, handlers);
      pio.feed(x);
      return x;
    };
    if (attach) {
      x = await env.ctx.shim.execAttach(dir, token, handlers);
      const e = await Promise.race([x.exit.catch((e: EngineError) => e), x.whenStarted()]);
      if (e instanceof EngineError && e.detail.errno === ENOENT) x = await start();
    } else x = await start();
    void x.exit.catch(() => undefined).finally(() => pio.close());
    const started = await x.whenStarted();
    if (started) await track(env, x, { token, uuid: c.rec.uuid, inc: c.rec.launchedAt, name: c.rec.name, pid: started.pid, command: argv });
  } catch (e) {
    io?.close();
    await env.responses.write(cmd.id, c.rec.uuid, { stderr: (e as Error).message });
    return { error: (e as Error).message };
  }
  await env.responses.write(cmd.id, c.rec.uuid, {});
  return {};
}

/** Keep a background process listed until it ends. */
export async function track(
  env: DeliveryEnv,
  x: ShimExecHandle,
  p: { token: string; uuid: string; inc: number; name: string; pid: number; command: string[] },
): Promise<void> {
  await env.started(p);
  env.processes.add({ ...p, exec: x });
  x.exit
    .catch(() => undefined)
    .finally(() => {
      env.processes.remove(p.token);
      env.ended(p.token);
    });
}

/** `cc send`: each file from the host's files directory to CC_FILES_DIR/<name> in the container. */
async function sendFiles(env: DeliveryEnv, cmd: CcCommandInfo, c: Container, files: string[]): Promise<Delivered> {
  const errors: string[] = [];
  for (const name of files) {
    let src: string | undefined;
    let mode = 0o644;
    for (const d of env.sendDirs) {
      const st = await stat(join(d, name)).catch(() => undefined);
      if (st?.isFile()) {
        src = join(d, name);
        mode = st.mode & 0o7777;
        break;
      }
    }
    if (!src) {
      errors.push(`no such file: ${name}`);
      continue;
    }
    try {
      let stderr = '';
      const x = await env.ctx.shim.exec(
        env.ctx.store.dir(c.rec.id),
        { put: `${CC_FILES_DIR}/${name}`, mode },
        { stderr: (b) => (stderr += b.toString('utf8')) },
      );
      const failed = x.exit.then(
        (e): ExecExit & { error?: string } => e,
        (e: Error): ExecExit & { error?: string } => ({ error: e.message }),
      );
      for await (const chunk of createReadStream(src, { highWaterMark: 256 << 10 })) await x.write(chunk as Buffer);
      x.end();
      const r = await failed;
      if (r.error || r.code) errors.push(`send ${name}: ${r.error ?? (stderr.trim() || `exit status ${r.code}`)}`);
    } catch (e) {
      errors.push(`send ${name}: ${(e as Error).message}`);
    }
  }
  if (errors.length) await env.responses.write(cmd.id, c.rec.uuid, { stderr: errors.join('\n') + '\n' });
  return errors.length ? { error: errors.join('; ') } : {};
}

/** The container paths a `cc recv` path names: itself, or its glob's matches (by the container's shell). */
async function expand(env: DeliveryEnv, c: Container, path: string): Promise<string[]> {
  if (!GLOB.test(path)) return [path];
  let out = '';
  const x = await env.ctx.shim.exec(
    env.ctx.store.dir(c.rec.id),
    {
      argv: ['sh', '-c', 'for f in $1; do [ -f "$f" ] && printf "%s\\0" "$f"; done', 'sh', path],
      stdin: false,
    },
    { stdout: (b) => (out += b.toString('utf8')) },
  );
  await x.exit;
  return out.split('\0').filter(Boolean);
}

/** `cc recv`: each container file into the client's response directory, at its container path. */
async function recvFiles(env: DeliveryEnv, cmd: CcCommandInfo, c: Container, paths: string[]): Promise<Delivered> {
  const errors: string[] = [];
  for (const p of paths) {
    let names: string[];
    try {
      names = await expand(env, c, p);
    } catch (e) {
      errors.push(`recv ${p}: ${(e as Error).message}`);
      continue;
    }
    for (const name of names) {
      const abs = isAbsolute(name) ? name : `/${name}`;
      let stderr = '';
      try {
        const { path: dest, stream } = await env.responses.receive(cmd.id, c.rec.uuid, normalize(abs).split(sep).join('/'));
        const done = new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        });
        const x = await env.ctx.shim.exec(
          env.ctx.store.dir(c.rec.id),
          { get: abs },
          {
            stdout: (b) => {
              if (!stream.write(b)) {
                x.pause();
                stream.once('drain', () => x.resume());
              }
            },
            stderr: (b) => (stderr += b.toString('utf8')),
          },
        );
        const r = await x.exit.then(
          (e) => e,
          (e: Error) => ({ error: e.message }) as ExecExit & { error: string },
        );
        stream.end();
        await done;
        const error = (r as { error?: string }).error ?? (r.code ? stderr.trim() || `exit status ${r.code}` : undefined);
        if (error) {
          errors.push(`recv ${name}: ${error}`);
          await unlink(dest).catch(() => undefined); // Best-effort: no empty file for one that never came.
        }
      } catch (e) {
        errors.push(`recv ${name}: ${(e as Error).message}`);
      }
    }
  }
  return errors.length ? { error: errors.join('; ') } : {};
}

/** Run `cmd` on client `c`; writes its response. `attach`: it started before a daemon restart. */
export async function deliver(env: DeliveryEnv, cmd: CcCommandInfo, c: Container, attach = false): Promise<Delivered> {
  const s = cmd.spec;
  switch (s.kind) {
    case 'exec':
      if (s.background) return startBackground(env, cmd, c, s, attach);
      return runForeground(env, cmd, c, s, attach);
    case 'send': {
      const r = await sendFiles(env, cmd, c, s.files);
      if (!r.error) await env.responses.write(cmd.id, c.rec.uuid, {});
      return r;
    }
    case 'recv': {
      const r = await recvFiles(env, cmd, c, s.files);
      await env.responses.write(cmd.id, c.rec.uuid, r.error ? { stderr: r.error + '\n' } : {});
      return r;
    }
    case 'kill':
    case 'killall': {
      for (const p of env.processes.forClient(c.rec.uuid, c.rec.launchedAt)) {
        const hit = s.kind === 'kill' ? s.pid === -1 || s.pid === p.pid : p.command.join(' ').includes(s.name);
        if (hit) p.exec.signal(9);
      }
      await env.responses.write(cmd.id, c.rec.uuid, {});
      return {};
    }
  }
}

/** Is `name` a plain relative path inside the files directory (what `cc send` may name)? */
export function sendable(filesDir: string, name: string): boolean {
  const p = normalize(join(filesDir, name));
  return p.startsWith(filesDir + sep) && !name.includes('\0');
}
