import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
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
