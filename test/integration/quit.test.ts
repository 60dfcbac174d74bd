// minimega's `args` and `quit [delay]` through a real daemon. args: the daemon's options. quit: it answers (with the delay, minimega's text), then
// tears down everything the daemon made, as minimega's teardown does (containers of every namespace,
// their NICs and bridges, host taps), removes its sockets and exits 0. The leak check holds the rest.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { socketPath } from '../../engine/api/wire.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

function exited(d: TestDaemon): Promise<number | null> {
  if (d.proc.exitCode !== null) return Promise.resolve(d.proc.exitCode);
  return new Promise((r) => d.proc.once('exit', (code) => r(code)));
}

describe("the daemon's own commands: args and quit", { skip }, () => {
  let pre: HostSnapshot;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  const daemons: TestDaemon[] = [];

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
  });

  after(async () => {
    for (const d of daemons) await d.dispose().catch(() => undefined);
    await fs?.remove();
    await assertNoLeaks(pre);
  });

  test("args shows the daemon's options with the values in use", async () => {
    const files = `${fs.dir}-files`;
    const d = await startDaemon({ filepath: files });
    daemons.push(d);
    const [head, row] = (await d.ok('args')).split('\n').map((l) => l.split('|').map((c) => c.trim()));
    const args = Object.fromEntries(head!.map((h, i) => [h, row![i]]));
    assert.equal(args.base, d.base);
    assert.equal(args.filepath, files);
    assert.match(args.freezer ?? '', /^v[12]$/);
    assert.equal(args['minimega-socket'], 'true');
    assert.equal(args.cluster, '');
  });

  test('quit 1 answers at once, then tears down every namespace, NIC, bridge and tap and exits 0', async () => {
    const d = await startDaemon();
    daemons.push(d);
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm config net 101');
    await d.ok('vm launch container q[1-2]');
    await d.ok('vm start all');
    await d.ok(`namespace other vm config filesystem ${fs.dir}`);
    await d.ok('namespace other vm launch container o1');
    await d.ok('tap create 102');
    const t0 = Date.now();
    assert.equal((await d.ok('quit 1')).trim(), 'quitting after 1 seconds');
    assert.equal((await d.client.call('vm.info')).length, 3, 'still serving until the delay is over');
    assert.equal(await exited(d), 0);
    assert.ok(Date.now() - t0 >= 900, 'not before the delay');
    assert.equal(existsSync(socketPath(d.base)), false, 'its socket is gone');
  });

  test('quit without a delay answers nothing and stops; bad delays are refused and change nothing', async () => {
    const d = await startDaemon();
    daemons.push(d);
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm launch container z');
    assert.deepEqual((await d.exec('quit soon')).errors, ['strconv.Atoi: parsing "soon": invalid syntax']);
    assert.deepEqual((await d.exec('quit -1')).errors, ['quit: delay -1 is negative']);
    assert.equal((await d.client.call('vm.info')).length, 1);
    assert.equal((await d.ok('quit')).trim(), '');
    assert.equal(await exited(d), 0);
  });

  test("nuke (minimega's command) kills and forgets everything, removes its NICs, bridges and taps, and stops", async () => {
    const d = await startDaemon();
    daemons.push(d);
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm config net 103');
    await d.ok('vm launch container n[1-2]');
    await d.ok('vm start n1');
    await d.ok('tap create 104');
    assert.equal((await d.ok('nuke')).trim(), '');
    assert.equal(await exited(d), 0);
    assert.equal(existsSync(socketPath(d.base)), false, 'its socket is gone');
    // Nothing to adopt at the next start, and (the suite's leak check) no kernel object left.
    await d.restart();
    assert.deepEqual(await d.client.call('vm.info'), []);
  });
});
