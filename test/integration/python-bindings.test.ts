// minimega's Python bindings driving nanomega. minimega's own generator, pyapigen (PYAPIGEN: built from
// a minimega checkout, `go build ./cmd/pyapigen`), writes minimega.py from `nanomega -cli`; a script then
// drives a real daemon through it over `<base>/minimega`: config, launch, start, `vm info` rows, an
// error raised as minimega.Error, a namespace-bound object, kill and flush. The generated file is
// minimega's template (GPLv3) and is never kept: it lives in a scratch directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { minimegaSocketPath } from '../../engine/api/wire.js';
import { optional, requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const LAUNCHER = fileURLToPath(new URL('../../../bin/nanomega', import.meta.url));
const pyapigen = process.env.PYAPIGEN;
const skip = pyapigen
  ? requires('root', 'cgroup2', 'overlay', 'shim', 'busybox')
  : optional("PYAPIGEN is not set (minimega's pyapigen, built from a minimega checkout)");

/** Runs with the generated module's directory, the socket and the root as argv; prints one JSON line last. */
const SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
import minimega

out = {}
mm = minimega.connect(path=sys.argv[2])
mm.vm_config_filesystem(sys.argv[3])
mm.vm_launch_container('py[1-3]')
mm.vm_start('all')
out['info'] = [{k: r[k] for k in ('name', 'state', 'type')} for resp in mm.vm_info() for r in minimega.as_dict(resp)]
try:
    mm.vm_start('nosuch')
    out['error'] = None
except minimega.Error as e:
    out['error'] = str(e)
with mm.namespace('pyns') as ns:
    ns.vm_config_filesystem(sys.argv[3])
    ns.vm_launch_container('inside')
    out['inside'] = [r['name'] for resp in ns.vm_info() for r in minimega.as_dict(resp)]
    ns.vm_kill('all')
    ns.vm_flush()
out['default'] = sorted(r['name'] for resp in mm.vm_info() for r in minimega.as_dict(resp))
mm.vm_kill('all')
mm.vm_flush()
out['after'] = [r for resp in mm.vm_info() for r in minimega.as_dict(resp)]
print(json.dumps(out))
`;

describe("minimega's Python bindings, generated from nanomega -cli", { skip }, () => {
  const suite = useContainerSuite();

  test('pyapigen writes them and a script drives the daemon through them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nm-pyapi-'));
    try {
      const gen = spawnSync(pyapigen!, ['-out', join(dir, 'minimega.py'), LAUNCHER], { encoding: 'utf8' });
      assert.equal(gen.status, 0, gen.stderr + gen.stdout);
      const run = spawnSync('python3', ['-W', 'error::SyntaxWarning', '-c', SCRIPT, dir, minimegaSocketPath(suite.d.base), suite.fs.dir], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      // connect() compares the bindings' minimega revision with `version`'s answer and may print a warning first.
      const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      assert.deepEqual(out.info, [
        { name: 'py1', state: 'RUNNING', type: 'container' },
        { name: 'py2', state: 'RUNNING', type: 'container' },
        { name: 'py3', state: 'RUNNING', type: 'container' },
      ]);
      assert.equal(out.error, 'vm not found: nosuch');
      assert.deepEqual(out.inside, ['inside']);
      assert.deepEqual(out.default, ['py1', 'py2', 'py3']);
      assert.deepEqual(out.after, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
