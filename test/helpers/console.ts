import { connect, type Socket } from 'node:net';

let seq = 0;

/** A client of a container's console socket that can run shell commands and collect their output. */
export class ConsoleClient {
  private data = '';
  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => (this.data += d.toString('utf8')));
  }

  static connect(path: string): Promise<ConsoleClient> {
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('connect', () => resolve(new ConsoleClient(sock)));
      sock.once('error', reject);
    });
  }

  get output(): string {
    return this.data;
  }

  write(s: string): void {
    this.sock.write(s);
  }

  /** Wait until the output (since `from`) matches `re`. */
  async waitFor(re: RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.data.slice(from).match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`console: no ${re} within ${timeoutMs} ms; got:\n${this.data.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Run a command in the container's shell and return what it printed. The end marker is computed
   * by the shell ($((…))), so the echoed command line never matches it.
   */
  async run(cmd: string, timeoutMs = 10_000): Promise<string> {
    const n = ++seq * 1000;
    const from = this.data.length;
    this.write(`${cmd}; echo "__S_$((${n}+1))__"\n`);
    const end = `__S_${n + 1}__`;
    await this.waitFor(new RegExp(end), timeoutMs, from);
    const text = this.data.slice(from, this.data.indexOf(end, from));
    // Output starts after the last echo of our own command line and ends at the computed marker. The
    // line may be echoed twice: by the tty while the shell is busy, and by the shell's line editor. One
    // CI run saw it come back on one line with a `)` lost (`$((N+1)__"`; most likely the two echoes
    // meeting mid-line), so the echo is found by the part typed before any `)`.
    const echoed = text.lastIndexOf(`__S_$((${n}+1`);
    const body = echoed < 0 ? text : text.slice(text.indexOf('\n', echoed) + 1);
    return body.replace(/\r/g, '');
  }

  close(): void {
    this.sock.destroy();
  }
}
