import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LineSplitter } from '../../engine/api/wire.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const LAUNCHER = fileURLToPath(new URL('../../../bin/nanomega', import.meta.url));
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/**
 * A client written from minimega's protocol description (pkg/miniclient), not from our server: it
 * writes one JSON request per line on `<base>/minimega` and reads JSON replies until one has More
 * false (Status replies do not end a command).
 */
interface Resp {
  Host: string;
  Response: string;
  Header: string[] | null;
  Tabular: string[][] | null;
  Error: string;
  Data: unknown;
}
interface Reply {
  Resp: Resp[] | null;
  Rendered: string;
  More: boolean;
  Status: boolean;
  Suggest?: string[];
}

class MiniClient {
  private readonly lines = new LineSplitter(Infinity);
  private readonly replies: Reply[] = [];
  private waiting?: () => void;
  closed = false;

  private constructor(readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      for (const line of this.lines.push(d)) this.replies.push(JSON.parse(line) as Reply);
      this.waiting?.();
    });
    sock.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    sock.on('error', () => undefined);
  }

  static async dial(base: string): Promise<MiniClient> {
    const sock = connect(join(base, 'minimega'));
    await new Promise((r, j) => sock.once('connect', r).once('error', j));
    return new MiniClient(sock);
  }

  async next(): Promise<Reply | undefined> {
    while (this.replies.length === 0 && !this.closed) await new Promise<void>((r) => (this.waiting = r));
    return this.replies.shift();
  }

  send(req: object | string): void {
    this.sock.write((typeof req === 'string' ? req : JSON.stringify(req)) + '\n');
  }

  /** Every reply of one command, up to the one with More false. */
  async run(command: string): Promise<Reply[]> {
    this.send({ Command: command, Suggest: '', PlumbPipe: '' });
    const out: Reply[] = [];
    for (;;) {
      const r = await this.next();
      assert.ok(r, `connection closed during \`${command}\``);
      out.push(r);
      if (!r.Status && !r.More) return out;
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

describe('minimega socket', { skip }, () => {
  const suite = useContainerSuite();
  const dashE = (line: string) => spawnSync(LAUNCHER, ['--base', suite.d.base, '-e', line], { encoding: 'utf8' });

  test('vm launch, vm info with .columns, an error: Resp fields, and Rendered equals nanomega -e', async () => {
    const mm = await MiniClient.dial(suite.d.base);
    const launch = await mm.run('vm launch container mm[0-2]');
    assert.equal(launch.length, 1);
    assert.deepEqual(
      launch[0]!.Resp!.map((r) => r.Error),
      [''],
    );
    assert.equal(launch[0]!.More, false);

    const info = await mm.run('.columns name,state vm info');
    assert.equal(info.length, 1);
    const r = info[0]!.Resp![0]!;
    assert.deepEqual(r.Header, ['name', 'state']);
    assert.deepEqual(
      [...r.Tabular!].sort((a, b) => a[0]!.localeCompare(b[0]!)),
      [
        ['mm0', 'BUILDING'],
        ['mm1', 'BUILDING'],
        ['mm2', 'BUILDING'],
      ],
    );
    assert.equal(r.Error, '');
    assert.ok(r.Host.length > 0);
    const e = dashE('.columns name,state vm info');
    assert.equal(e.status, 0);
    assert.equal(info[0]!.Rendered + '\n', e.stdout, 'Rendered is what nanomega -e prints');

    const bad = await mm.run('vm start nosuch');
    assert.equal(bad[0]!.Resp![0]!.Error, 'vm not found: nosuch');
    assert.equal(bad[0]!.Rendered, '');
    assert.equal(dashE('vm start nosuch').stderr, `E: ${bad[0]!.Resp![0]!.Error}\n`);

    const invalid = await mm.run('no such command');
    assert.match(invalid[0]!.Resp![0]!.Error, /invalid command/);

    // Session state lives in the connection, as in minimega: a later command sees .annotate false.
    await mm.run('.annotate false');
    const plain = await mm.run('.columns name vm info');
    assert.ok(!plain[0]!.Rendered.includes('host'), plain[0]!.Rendered);
    mm.close();
  });

  test('a multi-response command: More is true on every reply but the last', async () => {
    const mm = await MiniClient.dial(suite.d.base);
    const script = join(suite.d.base, 'two.mm');
    writeFileSync(script, '.columns name vm info\nvm start nosuch\n');
    const replies = await mm.run(`read ${script}`);
    assert.deepEqual(
      replies.map((r) => r.More),
      [true, false],
    );
    assert.match(replies[0]!.Rendered, /mm0/);
    assert.equal(replies[1]!.Resp![0]!.Error, 'vm not found: nosuch');
    mm.close();
  });

  test('file stream to a client that stops reading: the daemon waits for it instead of dropping it', async () => {
    // 100 MiB is 133 MiB of base64: past what a connection may leave unread (64 MiB) if sent at once.
    const bytes = Buffer.alloc(100 << 20);
    for (let i = 0; i < bytes.length; i += 512) bytes.writeUInt32LE(i, i);
    const path = join(suite.d.base, 'files', 'slow.bin');
    writeFileSync(path, bytes);
    const slow = await MiniClient.dial(suite.d.base);
    const other = await MiniClient.dial(suite.d.base);
    try {
      slow.sock.pause();
      slow.send({ Command: 'file stream slow.bin' });
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(slow.closed, false, 'still connected while not reading');
      assert.match((await other.run('version'))[0]!.Rendered, /nanomega/, 'others are served meanwhile');
      slow.sock.resume();
      const parts: Buffer[] = [];
      for (;;) {
        const r = await slow.next();
        assert.ok(r, 'connection closed during the stream');
        parts.push(Buffer.from(r.Resp![0]!.Data as string, 'base64'));
        if (!r.More) break;
      }
      assert.equal(parts.length, 10);
      assert.ok(Buffer.concat(parts).equals(bytes));
    } finally {
      slow.close();
      other.close();
      rmSync(path);
    }
  });

  test("requests without newlines, as minimega's Python bindings send them (json.dumps, no terminator), are answered", async () => {
    const mm = await MiniClient.dial(suite.d.base);
    mm.sock.write(JSON.stringify({ Command: '.columns name vm info' }));
    const first = await mm.next();
    assert.match(first!.Rendered, /mm0/);
    // Two at once, back to back: two answers, in order.
    mm.sock.write(JSON.stringify({ Command: 'vm start nosuch' }) + JSON.stringify({ Suggest: 'vm in' }));
    assert.equal((await mm.next())!.Resp![0]!.Error, 'vm not found: nosuch');
    assert.deepEqual((await mm.next())!.Suggest, ['vm info ']);
    mm.close();
  });

  test('Suggest completes from the command table; blank lines and comments answer an empty reply', async () => {
    const mm = await MiniClient.dial(suite.d.base);
    mm.send({ Suggest: 'vm in' });
    assert.deepEqual((await mm.next())!.Suggest, ['vm info ']);
    assert.deepEqual(await mm.run('# nothing'), [{ Resp: null, Rendered: '', More: false, Status: false }]);
    mm.close();
  });

  test('PlumbPipe (minimega -pipe): pipe messages reach the client as JSON strings, its strings go into the pipe', async () => {
    const next = async (c: MiniClient) => {
      const v = (await c.next()) as unknown;
      assert.notEqual(v, undefined, 'connection closed');
      return v;
    };
    const cmd = await MiniClient.dial(suite.d.base);
    const a = await MiniClient.dial(suite.d.base);
    const b = await MiniClient.dial(suite.d.base);
    // A name without ns// is the default namespace's pipe, the one `pipe news` names there.
    a.send({ PlumbPipe: 'news' });
    b.send({ PlumbPipe: 'minimega//news' });
    const pipes = async () => (await cmd.run('.columns name,readers,writers pipe'))[0]!.Resp![0]!.Tabular;
    for (let i = 0; i < 50 && JSON.stringify(await pipes()) !== JSON.stringify([['minimega//news', '2', '2']]); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await pipes(), [['minimega//news', '2', '2']]);
    assert.equal((await cmd.run('pipe news hello'))[0]!.Resp![0]!.Error, '');
    assert.equal(await next(a), 'hello\n');
    assert.equal(await next(b), 'hello\n');
    a.send(JSON.stringify('from a\n'));
    a.send(JSON.stringify('')); // an empty string writes nothing
    assert.equal(await next(b), 'from a\n');
    assert.equal(await next(a), 'from a\n', 'a pipe client reads its own pipe, writes included (mode all)');
    // Anything but a JSON string ends that client's connection; the pipe keeps its other client.
    a.send({ Command: 'vm info' });
    assert.equal(await a.next(), undefined);
    assert.equal((await cmd.run('pipe news again'))[0]!.Resp![0]!.Error, '');
    assert.equal(await next(b), 'again\n');
    b.close();
    for (let i = 0; i < 50 && JSON.stringify(await pipes()) !== JSON.stringify([['minimega//news', '0', '0']]); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await pipes(), [['minimega//news', '0', '0']]);
    await cmd.run('clear pipe news');
    cmd.close();
  });

  test('file stream (miniweb downloads): one reply per 10 MiB part, More on all but the last, the bytes as base64 Data', async () => {
    const bytes = randomBytes(25 << 20);
    const path = join(suite.d.base, 'files', 'download.bin');
    writeFileSync(path, bytes);
    const mm = await MiniClient.dial(suite.d.base);
    try {
      const replies = await mm.run('file stream download.bin');
      assert.deepEqual(
        replies.map((r) => [r.More, r.Rendered, r.Resp![0]!.Error]),
        [
          [true, '', ''],
          [true, '', ''],
          [false, '', ''],
        ],
      );
      const got = Buffer.concat(replies.map((r) => Buffer.from(r.Resp![0]!.Data as string, 'base64')));
      assert.ok(got.equals(bytes), 'the parts make the file');
      assert.equal((await mm.run('file stream nothing.bin'))[0]!.Resp![0]!.Error, 'stream nothing.bin: file not found');
      assert.equal((await mm.run('file stream ../../etc/passwd'))[0]!.Resp![0]!.Error, 'stream ../../etc/passwd: file not found');
    } finally {
      mm.close();
      rmSync(path);
    }
  });

  test('bad input: an error reply or a dropped connection, and the daemon keeps serving everyone', async () => {
    const mm = await MiniClient.dial(suite.d.base);
    mm.send('{not json');
    assert.match((await mm.next())!.Resp![0]!.Error, /malformed request/);
    mm.send({ Command: 'vm info', Suggest: 'vm' });
    assert.equal((await mm.next())!.Resp![0]!.Error, 'must specify either command or suggest');
    mm.send({});
    assert.equal((await mm.next())!.Resp![0]!.Error, 'must specify either command or suggest');
    mm.send({ PlumbPipe: 'two words' });
    assert.match((await mm.next())!.Resp![0]!.Error, /invalid pipe `two words`/);
    // A 2 MB line is read whole: its command is invalid, and the connection goes on.
    const big = await mm.run('x'.repeat(2 << 20));
    assert.match(big[0]!.Resp![0]!.Error, /invalid command/);
    assert.equal((await mm.run('.columns name vm info')).length, 1);

    // Past the line limit: a last error reply and the connection is dropped.
    const flood = await MiniClient.dial(suite.d.base);
    flood.sock.write('y'.repeat(9 << 20));
    assert.match((await flood.next())!.Resp![0]!.Error, /longer than/);
    assert.equal(await flood.next(), undefined);

    // A client that never reads: ~100 MB of answers it never collects; dropped, others served meanwhile.
    const deaf = await MiniClient.dial(suite.d.base);
    deaf.sock.pause();
    const line = JSON.stringify({ Command: 'z'.repeat(1 << 20) }) + '\n';
    for (let i = 0; i < 100; i++) deaf.sock.write(line);
    assert.equal((await mm.run('.columns name vm info')).length, 1);
    assert.equal(dashE('vm info').status, 0);
    await new Promise<void>((r) => (deaf.closed ? r() : deaf.sock.once('close', () => r())));
    assert.equal((await mm.run('.columns name vm info')).length, 1);
    mm.close();
  });
});
