// Review L6: the daemon and launcher sockets are never, not even for a moment, open to others.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listenOwnerOnly } from '../../../../engine/host/unix-listen.js';

test('the socket file is 0600 the moment listen() returns, whatever the umask; the umask is restored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-listen-'));
  const old = process.umask(0o000);
  const server = createServer();
  try {
    const path = join(dir, 'x.sock');
    const listening = listenOwnerOnly(server, path);
    // Synchronously after the call: bind(2) already ran.
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(process.umask(), 0o000);
    await listening;
  } finally {
    process.umask(old);
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a listen error rejects (and the umask is restored)', async () => {
  const old = process.umask();
  await assert.rejects(listenOwnerOnly(createServer(), '/nonexistent-dir-nm/x.sock'), /listen E[A-Z]+/);
  assert.equal(process.umask(), old);
});
