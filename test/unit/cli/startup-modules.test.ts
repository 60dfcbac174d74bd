import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/**
 * The packages a daemon loads only when it uses them: etcd3 (with gRPC and protobufjs under it, ~0.2 s
 * of CPU) when it joins a cluster, the headless terminal when a console is first scripted. Checked in
 * a Node process of its own that imports the `serve` subcommand, as `nanomega serve` does.
 */
test('nanomega serve starts without the cluster client or the terminal emulator loaded', () => {
  const serve = new URL('../../../cli/commands/serve.js', import.meta.url).href;
  const script = [
    `await import(${JSON.stringify(serve)});`,
    `const { createRequire } = await import('node:module');`,
    `console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`,
  ].join(' ');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const loaded = JSON.parse(r.stdout) as string[];
  // The check itself can see packages: the daemon's own CommonJS dependencies are in the same cache.
  assert.ok(
    loaded.some((p) => p.includes('/node_modules/')),
    `no package seen loaded: ${r.stdout}`,
  );
  for (const pkg of ['/node_modules/etcd3/', '/node_modules/@grpc/', '/node_modules/@xterm/headless/']) {
    assert.deepEqual(
      loaded.filter((p) => p.includes(pkg)),
      [],
      `${pkg} loaded at start-up`,
    );
  }
});
