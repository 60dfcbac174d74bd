// Remote consoles through the owning daemon: session numbers of their own, calls forwarded with the
// owning daemon's numbers, its events renumbered (early scrollback included), everything closed at the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REMOTE_SESSION_BASE, RemoteConsoles, type ConsoleLink } from '../../../../engine/cluster/remote-console.js';

class FakeLink implements ConsoleLink {
  calls: [string, unknown[]][] = [];
  listeners = new Map<string, ((p: unknown) => void)[]>();
  nextSession = 7;
  async call<T>(method: string, args: unknown[]): Promise<T> {
    this.calls.push([method, args]);
    if (method === 'console.open') {
      const session = this.nextSession++;
      // The owning daemon pushes the scrollback before console.open answers.
      this.fire('console.data', { session, data: 'scrollback' });
      return { session, id: args[0], cols: 80, rows: 24 } as T;
    }
    return undefined as T;
  }
  on(name: string, fn: (p: unknown) => void): () => void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return () =>
      this.listeners.set(
        name,
        (this.listeners.get(name) ?? []).filter((f) => f !== fn),
      );
  }
  fire(name: string, p: unknown): void {
    for (const fn of this.listeners.get(name) ?? []) fn(p);
  }
}

test('a remote console: own session number, early data delivered, calls forwarded, closed renumbered', async () => {
  const link = new FakeLink();
  const got: [string, unknown][] = [];
  const rc = new RemoteConsoles(
    (host) => {
      assert.equal(host, 'h2');
      return link;
    },
    (name, p) => got.push([name, p]),
  );
  const s = await rc.open('h2', 5, 100, 30);
  assert.ok(s.session >= REMOTE_SESSION_BASE && RemoteConsoles.owns(s.session));
  assert.equal(RemoteConsoles.owns(3), false);
  assert.deepEqual(link.calls[0], ['console.open', [5, 100, 30]]);
  assert.deepEqual(got, [['console.data', { session: s.session, data: 'scrollback' }]]);

  link.fire('console.data', { session: 7, data: 'more' });
  link.fire('console.data', { session: 99, data: 'not ours' });
  assert.deepEqual(got.at(-1), ['console.data', { session: s.session, data: 'more' }]);

  await rc.forward('console.input', [s.session, 'ls\n']);
  await rc.forward('console.resize', [s.session, 120, 40]);
  assert.deepEqual(link.calls.slice(1), [
    ['console.input', [7, 'ls\n']],
    ['console.resize', [7, 120, 40]],
  ]);

  link.fire('console.closed', { session: 7, reason: 'container exited' });
  assert.deepEqual(got.at(-1), ['console.closed', { session: s.session, reason: 'container exited' }]);
  await assert.rejects(rc.forward('console.input', [s.session, 'x']), /no console session/);
});

test('closeAll closes what is open on the owning daemons and stops following their events', async () => {
  const link = new FakeLink();
  const got: unknown[] = [];
  const rc = new RemoteConsoles(
    () => link,
    (_n, p) => got.push(p),
  );
  await rc.open('h2', 1);
  const second = await rc.open('h2', 2);
  await rc.forward('console.close', [second.session]);
  rc.closeAll();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    link.calls.filter(([m]) => m === 'console.close').map(([, a]) => a),
    [[8], [7]],
  );
  const before = got.length;
  link.fire('console.data', { session: 7, data: 'late' });
  assert.equal(got.length, before);
});
