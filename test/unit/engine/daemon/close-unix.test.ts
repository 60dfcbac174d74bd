import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closeUnix, listenUnix } from '../../../../engine/daemon/line-socket.js';

test('closeUnix ends the clients that are still connected (a stopping daemon does not wait for them)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-close-'));
  try {
    const path = join(dir, 'sock');
    const server = await listenUnix(path, () => undefined);
    const client = connect(path);
    await new Promise((r) => client.once('connect', r));
    const ended = new Promise((r) => client.once('close', r));
    await closeUnix(server);
    await ended;
    assert.equal(server.listening, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listenUnix shows the socket only once it is whole: 0660 at its path, its temporary name gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-listen-'));
  let server: Server | undefined;
  try {
    const path = join(dir, 'nanomega.sock');
    const seen = new Set<number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        try {
          seen.add(statSync(path).mode & 0o777);
        } catch {
          // not there yet
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    server = await listenUnix(path, () => undefined);
    polling = false;
    await poll;
    seen.add(statSync(path).mode & 0o777);
    assert.deepEqual([...seen], [0o660], 'never seen with another mode');
    assert.ok(statSync(path).isSocket());
    assert.deepEqual(readdirSync(dir), ['nanomega.sock'], 'nothing but the socket');
    const client = connect(path);
    await new Promise((r) => client.once('connect', r));
    client.destroy();
  } finally {
    if (server) await closeUnix(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
