import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../../shim/check-deps.sh', import.meta.url));

/** A stand-in C compiler that lacks the headers and libraries named in `without`, runs gcc otherwise. */
function fakeCc(dir: string, without: string[]): string {
  const cc = join(dir, 'cc');
  writeFileSync(
    cc,
    `#!/bin/sh
for a in "$@"; do case $a in -print-file-name=*) n=\${a#-print-file-name=}; for w in ${without.join(' ')}; do [ "$n" = "$w" ] && { echo "$n"; exit 0; }; done ;; esac; done
case " $* " in *" -E "*) in=$(cat); for w in ${without.join(' ')}; do case $in in *"<$w>"*) exit 1 ;; esac; done; echo "$in" | gcc "$@"; exit $? ;; esac
exec gcc "$@"
`,
  );
  chmodSync(cc, 0o755);
  return cc;
}

test('the shim build names each missing Debian package and the apt-get line, once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-deps-'));
  try {
    const ok = spawnSync('sh', [SCRIPT, fakeCc(dir, [])], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const r = spawnSync('sh', [SCRIPT, fakeCc(dir, ['seccomp.h', 'libseccomp.a', 'libjansson.a'])], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.match(r.stderr, /libjansson-dev libseccomp-dev — sudo apt-get install libjansson-dev libseccomp-dev$/m);
    const nocc = spawnSync('sh', [SCRIPT, join(dir, 'no-such-cc')], { encoding: 'utf8' });
    assert.match(nocc.stderr, /the C compiler .* is missing: sudo apt-get install gcc make libc6-dev/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
