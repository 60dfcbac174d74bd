import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConsoleClient } from '../../helpers/console.js';

/**
 * The integration tests' console helper against a scripted console: what a shell's console sends back
 * for a command line is given by `answer` (the line as typed, its marker's number).
 */
let server: Server;
let answer: (line: string, n: number) => string;
const dir = mkdtempSync(join(tmpdir(), 'nm-console-client-'));
const path = join(dir, 'console.sock');

before(async () => {
  server = createServer((sock) => {
    sock.on('data', (d: Buffer) => {
      const line = d.toString('utf8').replace(/\n$/, '');
      const n = Number(/\$\(\((\d+)\+1\)\)/.exec(line)![1]);
      sock.write(answer(line, n));
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
});

after(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('run returns the output after the echoed command line, however it was echoed', async () => {
  const con = await ConsoleClient.connect(path);
  try {
    const cases: [string, (line: string, n: number) => string][] = [
      ['echoed once', (line, n) => `${line}\r\nfrom-host\r\n__S_${n + 1}__\r\n# `],
      ['echoed by the tty and again by the line editor', (line, n) => `${line}\r\n# ${line}\r\nfrom-host\r\n__S_${n + 1}__\r\n# `],
      // Seen in a CI run (container.test's fifo check): the echo on one line, one `)` short.
      ['halves on one line with a character lost', (line, n) => `${line.replace('))__', ')__')}\r\nfrom-host\r\n__S_${n + 1}__\r\n# `],
    ];
    for (const [what, reply] of cases) {
      answer = reply;
      assert.equal((await con.run('wait; cat /root/from-host')).trim(), 'from-host', what);
    }
  } finally {
    con.close();
  }
});
