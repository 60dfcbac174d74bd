/**
 * Console scripting (minimega's Containers article promises "a scripting interface like VNC
 * scripting"): `vm console send`, `expect`, `screen`, `record`, `play`, `stop`. Each scripted
 * container gets one connection to its monitor's console socket, feeding a headless terminal
 * emulator (@xterm/headless) for `screen` and a text buffer without control sequences for `expect`.
 * Keystrokes typed into a console through the engine (GUI, web UI, `send`) are recorded with their
 * timing; a recording plays back on any number of containers at once.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type xterm from '@xterm/headless';
import type { ContainerId, VmResult } from '../api/types.js';
import { apply, findOne } from '../commands/targets.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError, hostError } from '../errors.js';
import { Utf8Splitter } from '../console/utf8.js';
import { encodeKeys, parseRecording, stripAnsi } from './keys.js';

type TerminalClass = typeof xterm.Terminal;
type Terminal = InstanceType<TerminalClass>;

let terminalClass: Promise<TerminalClass> | undefined;
/**
 * The emulator, loaded on the first scripted console: its CommonJS bundle is parsed when loaded (~20 ms
 * of a daemon's start-up CPU in a profile), which a daemon that never scripts a console need not pay.
 */
function loadTerminal(): Promise<TerminalClass> {
  terminalClass ??= import('@xterm/headless').then((m) => m.default.Terminal);
  return terminalClass;
}

/** Output kept for `expect` beyond what it has consumed (the oldest is dropped). */
const EXPECT_BUFFER_CHARS = 1 << 20;
/** `vm console expect` without a timeout. */
export const DEFAULT_EXPECT_MS = 10_000;

interface Waiter {
  re: RegExp;
  resolve: (match: string) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class ScriptConsole {
  private readonly term: Terminal;
  private readonly utf8 = new Utf8Splitter();
  /** Output since the last `expect` match, control sequences stripped. */
  private pending = '';
  private waiters: Waiter[] = [];
  private recording?: { stream: WriteStream; last: number };
  private playing?: { cancel: () => void };
  closed = false;

  constructor(
    Terminal: TerminalClass,
    private readonly name: string,
    private readonly sock: Duplex,
    size: { cols: number; rows: number },
    private readonly onClose: () => void,
  ) {
    this.term = new Terminal({ cols: size.cols, rows: size.rows, scrollback: 0, allowProposedApi: true });
    sock.on('data', (chunk: Buffer) => this.output(this.utf8.push(chunk)));
    sock.on('close', () => this.finish());
    sock.on('error', () => undefined); // 'close' follows
  }

  private output(text: string): void {
    if (!text) return;
    this.term.write(text);
    this.pending += stripAnsi(text);
    if (this.pending.length > EXPECT_BUFFER_CHARS) this.pending = this.pending.slice(-EXPECT_BUFFER_CHARS);
    this.match();
  }

  private match(): void {
    while (this.waiters.length) {
      const w = this.waiters[0]!;
      const m = w.re.exec(this.pending);
      if (!m) return;
      this.pending = this.pending.slice(m.index + m[0].length);
      this.waiters.shift();
      clearTimeout(w.timer);
      w.resolve(m[0]);
    }
  }

  send(data: string): void {
    if (this.closed) throw new EngineError('E_STATE', `console of ${this.name} is closed`, { name: this.name });
    this.sock.write(data);
    this.note(data);
  }

  /** Input typed into this container's console elsewhere (recorded when recording). */
  note(data: string): void {
    const r = this.recording;
    if (!r) return;
    const t = Date.now();
    r.stream.write(`${t - r.last}:${encodeKeys(data)}\n`);
    r.last = t;
  }

  expect(re: RegExp, timeoutMs: number): Promise<string> {
    if (this.closed) return Promise.reject(new EngineError('E_STATE', `console of ${this.name} is closed`, { name: this.name }));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        re,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new EngineError('E_STATE', `vm console expect ${this.name}: no match for /${re.source}/ within ${timeoutMs} ms`, { name: this.name }));
        }, timeoutMs),
      };
      this.waiters.push(w);
      this.match();
    });
  }

  /** The screen as text, once every byte received so far has been drawn. */
  screen(size: { cols: number; rows: number }): Promise<string> {
    if (this.term.cols !== size.cols || this.term.rows !== size.rows) this.term.resize(size.cols, size.rows);
    return new Promise((resolve) =>
      this.term.write('', () => {
        const b = this.term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < this.term.rows; i++) lines.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
        while (lines.length && lines[lines.length - 1] === '') lines.pop();
        resolve(lines.join('\n'));
      }),
    );
  }

  startRecording(path: string): void {
    this.stopRecording();
    const stream = createWriteStream(path, { flags: 'w', mode: 0o644 });
    stream.on('error', () => this.stopRecording());
    stream.write(`# nanomega console recording of ${this.name}: <ms since the previous line>:<keys>\n`);
    this.recording = { stream, last: Date.now() };
  }

  stopRecording(): boolean {
    const r = this.recording;
    this.recording = undefined;
    r?.stream.end();
    return r !== undefined;
  }

  get recordingNow(): boolean {
    return this.recording !== undefined;
  }

  /** Send each line's keys after its delay; resolves at the end, or when stopped. */
  async play(lines: { delayMs: number; text: string }[]): Promise<void> {
    this.playing?.cancel();
    let cancelled = false;
    let wake: (() => void) | undefined;
    const me = {
      cancel: () => {
        cancelled = true;
        wake?.();
      },
    };
    this.playing = me;
    try {
      for (const l of lines) {
        if (l.delayMs > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, l.delayMs);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        }
        if (cancelled || this.closed) return;
        this.send(l.text);
      }
    } finally {
      if (this.playing === me) this.playing = undefined;
    }
  }

  stopPlaying(): boolean {
    const p = this.playing;
    p?.cancel();
    return p !== undefined;
  }

  close(): void {
    this.sock.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopRecording();
    this.stopPlaying();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new EngineError('E_STATE', `console of ${this.name} closed`, { name: this.name }));
    }
    this.term.dispose();
    this.onClose();
  }
}

export class ConsoleScripts {
  private readonly consoles = new Map<ContainerId, Promise<ScriptConsole>>();

  constructor(
    private readonly ctx: EngineContext,
    /** The pty size the container's console has now. */
    private readonly size: (id: ContainerId) => { cols: number; rows: number },
  ) {}

  private console(c: Container): Promise<ScriptConsole> {
    let p = this.consoles.get(c.rec.id);
    if (!p) {
      if (c.rec.state === 'QUIT' || c.rec.state === 'ERROR') {
        return Promise.reject(new EngineError('E_STATE', `${c.rec.name} is not running (${c.rec.state})`, { name: c.rec.name }));
      }
      const id = c.rec.id;
      p = loadTerminal().then(async (Terminal) => {
        const sock = await this.ctx.shim.console(this.ctx.store.dir(id));
        return new ScriptConsole(Terminal, c.rec.name, sock, this.size(id), () => this.consoles.delete(id));
      });
      p.catch(() => this.consoles.delete(id));
      this.consoles.set(id, p);
    }
    return p;
  }

  private one(target: string, ns?: string): Container {
    return findOne(this.ctx, target, ns);
  }

  private path(file: string): string {
    if (file === '' || file.includes('\0')) throw new EngineError('E_CONFIG', `bad file name ${JSON.stringify(file)}`, { field: 'file' });
    return isAbsolute(file) ? file : join(this.ctx.filesDir, file);
  }

  send(target: string, data: string, ns?: string): Promise<VmResult[]> {
    return apply(
      this.ctx,
      target,
      async (c, wild) => {
        if (wild && c.rec.state === 'QUIT') return false;
        (await this.console(c)).send(data);
        return true;
      },
      ns,
    );
  }

  expect(target: string, pattern: string, timeoutMs = DEFAULT_EXPECT_MS, ns?: string): Promise<VmResult[]> {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'm');
    } catch (e) {
      throw new EngineError('E_CONFIG', `bad regular expression: ${(e as Error).message}`, { field: 'regex', value: pattern });
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > 24 * 3600_000) {
      throw new EngineError('E_CONFIG', `bad timeout ${timeoutMs} ms`, { field: 'timeout', value: timeoutMs });
    }
    return apply(
      this.ctx,
      target,
      async (c, wild) => {
        if (wild && c.rec.state === 'QUIT') return false;
        await (await this.console(c)).expect(re, timeoutMs);
        return true;
      },
      ns,
    );
  }

  async screen(target: string, ns?: string): Promise<string> {
    const c = this.one(target, ns);
    return (await this.console(c)).screen(this.size(c.rec.id));
  }

  async record(target: string, file: string, ns?: string): Promise<void> {
    const c = this.one(target, ns);
    const path = this.path(file);
    (await this.console(c)).startRecording(path);
  }

  /** End recording and playback on the targets. */
  stop(target: string, ns?: string): Promise<VmResult[]> {
    return apply(
      this.ctx,
      target,
      async (c) => {
        const p = this.consoles.get(c.rec.id);
        if (!p) return true;
        const s = await p;
        s.stopRecording();
        s.stopPlaying();
        return true;
      },
      ns,
    );
  }

  async play(target: string, file: string, ns?: string): Promise<VmResult[]> {
    const path = this.path(file);
    let body: string;
    try {
      body = await readFile(path, 'utf8');
    } catch (e) {
      throw hostError('read', path, e);
    }
    const lines = parseRecording(body, file);
    return apply(
      this.ctx,
      target,
      async (c, wild) => {
        if (wild && c.rec.state !== 'RUNNING') return false;
        await (await this.console(c)).play(lines);
        return true;
      },
      ns,
    );
  }

  /** Keystrokes a client typed into container `id`'s console (recorded by a running `record`). */
  noteInput(id: ContainerId, data: string): void {
    const session = this.consoles.get(id);
    if (session)
      session.then(
        (s) => s.note(data),
        () => undefined, // Best-effort: a console that failed to open records nothing.
      );
  }

  closeAll(): void {
    for (const p of this.consoles.values())
      void p.then(
        (s) => s.close(),
        () => undefined,
      );
    this.consoles.clear();
  }
}
