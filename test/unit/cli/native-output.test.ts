// The native client prints a command's output as it reads it (shim/client/exec-print.c): its own
// decoder for the output string, and jansson for everything else. Here a scripted daemon socket
// answers the real binary with frames jansson and JSON.parse agree on, and with frames split across
// many writes, in another field order, or malformed; the TypeScript client answers the same frames
// for comparison.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { LineSplitter, socketPath } from '../../../engine/api/wire.js';
import { BIN } from '../../helpers/daemon.js';

const NATIVE = fileURLToPath(new URL('../../../../shim/build/nanomega-client', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** How the scripted daemon answers the call whose id is `id`: the reply's bytes, written in pieces. */
type Script = (id: number) => { text: string; pieces?: number; close?: boolean };

/** The value's output as the daemon encodes it (JSON.stringify), with escapes JSON.stringify never writes. */
const ESCAPES = String.raw`"q\"b\\s\/f\b\f\n\r\t é ✓ 😀 \u00e9\u2713\uD83D\uDE00 \u0001 end"`;

const result = (id: number, value: string) => `{"type":"result","id":${id},"ok":true,"value":${value}}\n`;

describe(
  'the native client prints what the daemon sent (exec-print.c)',
  { skip: existsSync(NATIVE) ? false : 'native client not built (make -C shim)' },
  () => {
    let dir: string;
    let server: Server;
    let script: Script = () => ({ text: '' });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nm-native-out-'));
      server = createServer((sock: Socket) => {
        const lines = new LineSplitter();
        sock.setEncoding('utf8');
        sock.on('data', (d: string) => {
          for (const line of lines.push(d)) void answer(sock, script((JSON.parse(line) as { id: number }).id));
        });
        sock.on('error', () => undefined); // A client that exits mid-reply.
      });
      await new Promise<void>((r) => server.listen(socketPath(dir), r));
    });
    after(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function answer(sock: Socket, a: ReturnType<Script>): Promise<void> {
      const bytes = Buffer.from(a.text);
      const pieces = a.pieces ?? 1;
      const size = Math.ceil(bytes.length / pieces);
      for (let at = 0; at < bytes.length; at += size) {
        sock.write(bytes.subarray(at, at + size));
        if (pieces > 1) await new Promise((r) => setTimeout(r, 1));
      }
      if (a.close) sock.destroy();
    }

    function run(file: string, args: string[]): Promise<Run> {
      return new Promise((resolve) => {
        const p = spawn(file, [...args, '--base', dir, '-e', 'vm info'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        // Whole characters: a chunk may end inside one.
        p.stdout.setEncoding('utf8');
        p.stderr.setEncoding('utf8');
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    }
    const native = () => run(NATIVE, []);
    const typescript = () => run(process.execPath, [BIN]);

    test('every escape JSON allows, surrogate pairs included, as JSON.parse reads them', async () => {
      script = (id) => ({ text: result(id, `{"output":${ESCAPES},"errors":[]}`) });
      const r = await native();
      assert.deepEqual(r, { status: 0, stdout: `${JSON.parse(ESCAPES) as string}\n`, stderr: '' });
      assert.deepEqual(r, await typescript());
    });

    test('a long output split across many writes, escapes cut in two among them', async () => {
      const rows = Array.from({ length: 4000 }, (_, i) => `row ${i} | ${'x'.repeat(i % 97)} | é✓😀 "${i}" \\ \t`);
      const output = rows.join('\n');
      const encoded = JSON.stringify(output).replace(/😀/g, '\\uD83D\\uDE00');
      script = (id) => ({ text: result(id, `{"output":${encoded},"errors":["one","two"]}`), pieces: 300 });
      const r = await native();
      assert.equal(r.status, 1);
      assert.equal(r.stdout, `${output}\n`);
      assert.equal(r.stderr, 'E: one\nE: two\n');
    });

    test('an escape split at every byte', async () => {
      script = (id) => {
        const text = result(id, `{"output":${ESCAPES},"errors":[]}`);
        return { text, pieces: Buffer.byteLength(text) };
      };
      assert.deepEqual(await native(), { status: 0, stdout: `${JSON.parse(ESCAPES) as string}\n`, stderr: '' });
    });

    test('an event first, the fields in another order, an empty output: read whole, the same as the TypeScript client', async () => {
      const cases: Script[] = [
        (id) => ({ text: `{"type":"event","name":"vm.state","payload":{"id":1}}\n${result(id, '{"output":"after an event","errors":[]}')}` }),
        (id) => ({ text: result(id, '{"errors":["first"],"output":"errors before output"}') }),
        (id) => ({ text: `{"id":${id},"type":"result","ok":true,"value":{"output":"id first","errors":[]}}\n` }),
        (id) => ({ text: result(id, '{"output":"","errors":["only an error"]}') }),
        (id) => ({ text: `{"type":"result","id":${id},"ok":false,"error":{"code":"E_INVALID","message":"refused"}}\n` }),
      ];
      for (const c of cases) {
        script = c;
        const r = await native();
        assert.deepEqual(r, await typescript(), c(7).text);
        assert.notEqual(r.stdout + r.stderr, '', c(7).text);
      }
    });

    test('a malformed output or a reply cut short is an error, never a hang or a crash', async () => {
      const cases: [Script, RegExp][] = [
        [(id) => ({ text: result(id, String.raw`{"output":"lone \uD800 surrogate","errors":[]}`) }), /malformed reply .*escape/],
        [(id) => ({ text: result(id, String.raw`{"output":"bad \x escape","errors":[]}`) }), /malformed reply .*escape/],
        [(id) => ({ text: result(id, '{"output":"a raw \u0001 byte","errors":[]}') }), /malformed reply .*control character/],
        [(id) => ({ text: `{"type":"result","id":${id},"ok":true,"value":{"output":"the line ends\n` }), /malformed reply .*(control character|line ends)/],
        [(id) => ({ text: result(id, '{"output":"fine","errors":"not a list"}') }), /malformed cli.exec result/],
        [(id) => ({ text: `{"type":"result","id":${id},"ok":true,"value":{"output":"cut short`, close: true }), /connection to the nanomega daemon closed/],
      ];
      for (const [c, want] of cases) {
        script = c;
        const r = await native();
        assert.equal(r.status, 1, c(7).text);
        assert.match(r.stderr, want, c(7).text);
      }
    });
  },
);
