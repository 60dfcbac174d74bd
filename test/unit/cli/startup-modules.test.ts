import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

/**
 * The packages a daemon loads only when it uses them: etcd3 (with gRPC and protobufjs under it, ~0.2 s
 * of CPU) when it joins a cluster, the headless terminal when a console is first scripted. Checked in
 * a Node process of its own that imports what `nanomega serve` runs: the daemon and the web server.
 */
test('nanomega serve starts without the cluster client or the terminal emulator loaded', () => {
  const daemon = ['../../../engine/daemon/main.js', '../../../web/server.js'].map((m) => new URL(m, import.meta.url).href);
  const script = [
    ...daemon.map((m) => `await import(${JSON.stringify(m)});`),
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

/**
 * Module resolution hooks (node:module register) that append every resolved URL to $MODULE_LOG: the
 * ES modules a process loads, which no cache lists.
 */
const LOG_HOOKS = [
  "import { appendFileSync } from 'node:fs';",
  'export async function resolve(specifier, context, next) {',
  '  const r = await next(specifier, context);',
  "  appendFileSync(process.env.MODULE_LOG, r.url + '\\n');",
  '  return r;',
  '}',
].join('\n');
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(LOG_HOOKS))});`;

/**
 * `nanomega --help` imports every subcommand file for its summary; the daemon, the engine and the web
 * server load only when their subcommand runs (~0.5 s of CPU at start-up otherwise).
 */
const NO_HOOKS = typeof (nodeModule as { register?: unknown }).register !== 'function' && `node:module register needs Node 20.6 (this is ${process.version})`;

test('nanomega --help loads no subcommand implementation', { skip: NO_HOOKS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-modules-'));
  try {
    const log = join(dir, 'modules');
    const program = fileURLToPath(new URL('../../../../bin/nanomega.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, program, '--help'], {
      encoding: 'utf8',
      env: { ...process.env, MODULE_LOG: log },
    });
    assert.equal(r.status, 0, r.stderr);
    for (const name of ['serve', 'web', 'nuke', 'start', 'doctor']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
    const loaded = readFileSync(log, 'utf8').split('\n');
    // The check itself sees what it should: every subcommand file was loaded for its summary.
    assert.ok(
      loaded.some((u) => u.endsWith('/cli/commands/serve.js')),
      `serve's file not seen loaded: ${loaded.join(' ')}`,
    );
    for (const heavy of ['/engine/daemon/', '/engine/engine.js', '/web/server.js', '/engine/commands/']) {
      assert.deepEqual(
        loaded.filter((u) => u.includes(heavy)),
        [],
        `${heavy} loaded by --help`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
