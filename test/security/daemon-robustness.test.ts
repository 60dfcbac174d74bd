// The daemon never dies on input and always starts (review M4, M5, L9, L11, I6): malformed frames
// on its socket, a list that would expand to hundreds of millions of names, 300 000 nested dot-commands,
// and, across a restart, an unreadable state.json / engine.json / net.json and an instance
// directory without a record.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LineSplitter, socketPath } from '../../engine/api/wire.js';
import WebSocket from 'ws';
import { webProtocols } from '../../engine/api/web-auth.js';
import { serveWeb } from '../../web/server.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** Send raw lines on a fresh connection; collect one reply line per line sent that gets one. */
function rawExchange(base: string, lines: string[], replies: number): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath(base));
    const split = new LineSplitter(Infinity);
    const got: Record<string, unknown>[] = [];
    const timer = setTimeout(
      () => (s.destroy(), reject(new Error(`${got.length}/${replies} replies, ${split.pending} characters of an unfinished one`))),
      10_000,
    );
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      for (const line of split.push(d)) got.push(JSON.parse(line) as Record<string, unknown>);
      if (got.length >= replies) {
        clearTimeout(timer);
        s.end();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.on('connect', () => s.write(lines.map((l) => l + '\n').join('')));
  });
}

describe('the daemon survives bad input and bad state', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    d = await startDaemon();
  });

  after(async () => {
    await d?.dispose();
    await fs?.remove();
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  test('malformed frames each get an E_PROTOCOL answer and the connection keeps serving', async () => {
    const bad = [
      'null',
      '5',
      '"call"',
      '[]',
      '{}',
      '{"type":"subscribe"}',
      '{"type":"subscribe","events":5}',
      '{"type":"unsubscribe","events":{}}',
      '{"type":"call","id":"1","method":"vm.info","args":[]}',
      '{"type":"call","id":41,"method":"vm.info"}',
      '{"type":"call","id":42,"method":7,"args":[]}',
      '{not json',
    ];
    const replies = await rawExchange(d.base, [...bad, '{"type":"call","id":99,"method":"vm.info","args":[]}'], bad.length + 1);
    for (const r of replies.slice(0, bad.length)) {
      assert.equal(r.ok, false);
      assert.equal((r.error as { code: string }).code, 'E_PROTOCOL');
    }
    assert.deepEqual(replies[bad.length], { type: 'result', id: 99, ok: true, value: [] });
    assert.equal(d.proc.exitCode, null, 'the daemon is still running');
  });

  test('a list expanding to 200 million names is refused from its count; the daemon stays up', async () => {
    const huge = Array.from({ length: 200 }, (_, i) => `x${i}[0-999999]`).join(',');
    for (const verb of ['vm kill', 'vm start', 'vm launch container']) {
      const r = await d.exec(`${verb} ${huge}`);
      assert.match(r.errors.join(), /too many names in `.*`: 200000000 \(at most 100000 in one command\)/, verb);
    }
    await assert.rejects(d.client.call('vm.kill', huge), /too many names/);
    // The same line through the web UI's relay (what a browser holding the token can send).
    const web = await serveWeb({ socket: socketPath(d.base), listen: '127.0.0.1:0', staticDir: d.base });
    try {
      const ws = new WebSocket(`ws://${web.authority}/engine`, webProtocols(web.token), { origin: `http://${web.authority}` });
      await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
      const reply = new Promise<string>((r) => ws.once('message', (m) => r(m.toString())));
      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'cli.exec', args: [`vm kill ${huge}`] }));
      const r = JSON.parse(await reply) as { ok: boolean; value: { errors: string[] } };
      assert.equal(r.ok, true);
      assert.match(r.value.errors.join(), /too many names/);
      ws.close();
    } finally {
      await web.close();
    }
    // 300 000 nested dot-commands in one line: linear work, an answer, no stack overflow.
    const chain = Array.from({ length: 300_000 }, () => '.csv true').join(' ');
    assert.ok(await d.exec(`${chain} vm info`));
    assert.deepEqual(await d.client.call('vm.info'), []);
    assert.equal(d.proc.exitCode, null);
  });

  test('unreadable state.json, engine.json and net.json, and a stray instance dir: the daemon starts anyway', async () => {
    await d.ok('clear vm config');
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm config net 100');
    await d.ok('vm launch container good,bad');
    await d.ok('vm start good,bad');
    const [good, bad] = (await d.client.call('vm.info')).sort((a, b) => a.id - b.id);
    assert.equal(good!.state, 'RUNNING');
    assert.equal(bad!.state, 'RUNNING');
    await d.crash();

    writeFileSync(join(d.base, String(bad!.id), 'state.json'), '{"id": 1, "name": "bad", "sta');
    writeFileSync(join(d.base, 'engine.json'), 'garbage');
    writeFileSync(join(d.base, 'net.json'), '{"bridges": ');
    const stray = join(d.base, '917');
    mkdirSync(stray);
    await d.restart();

    const info = (await d.client.call('vm.info')).sort((a, b) => a.id - b.id);
    assert.deepEqual(
      info.map((c) => [c.name, c.state]),
      [
        ['good', 'RUNNING'],
        [`unreadable-${bad!.id}`, 'ERROR'],
      ],
    );
    assert.match(info[1]!.tags.error ?? '', /^state unreadable \(moved to .*state\.json\.bad\): parse /);
    assert.equal(readFileSync(join(d.base, String(bad!.id), 'state.json.bad'), 'utf8'), '{"id": 1, "name": "bad", "sta');
    assert.equal(readFileSync(join(d.base, 'engine.json.bad'), 'utf8'), 'garbage');
    assert.equal(readFileSync(join(d.base, 'net.json.bad'), 'utf8'), '{"bridges": ');
    assert.equal(existsSync(stray), false, 'the stray instance dir was removed');
    // net.json lost: the live container's NIC is kept, never taken for a stray.
    assert.equal(existsSync(`/sys/class/net/${good!.nics[0]!.tap}`), true, 'the running container keeps its NIC');
    // Ids go on after the highest seen, whatever engine.json said.
    await d.ok('vm launch container after');
    const after = (await d.client.call('vm.info')).find((c) => c.name === 'after')!;
    assert.ok(after.id > 917, `new id ${after.id}`);
    await d.ok('vm kill all');
    await d.ok('vm flush');
    assert.deepEqual(await d.client.call('vm.info'), []);
    // What the lost net.json owned (the VLAN's bridge) is found by its tag and removed by nuke.
    await d.client.call('engine.nuke');
  });
});
