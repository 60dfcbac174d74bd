#!/usr/bin/env bash
# scripts/setup.sh run|test — make this checkout ready: the Debian packages of scripts/debian-packages
# (build + run, plus test), node_modules, a current build. `sudo npm start` runs it with `run`,
# `npm test` with `test`; .ci/run after `apt-get update`. As root it installs what is missing; otherwise
# it says in one line what is missing and the command that installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-run}
case $want in run) sections='build run' ;; test) sections='build run test' ;; *) echo "usage: scripts/setup.sh run|test" >&2; exit 2 ;; esac

list=${NANOMEGA_DEBIAN_PACKAGES:-scripts/debian-packages}
[ -r "$list" ] || { echo "nanomega: cannot read the package list $list" >&2; exit 1; }
packages() {
  awk -v want=" $sections " '
    /^\[.*\]$/ { s = substr($0, 2, length($0) - 2); next }
    /^#/ || NF == 0 { next }
    index(want, " " s " ") { print $1 }
  ' "$list"
}

missing=()
# NANOMEGA_SETUP_PACKAGES_ONLY=1: check (and install) the packages, nothing else (tests use it).
if command -v dpkg-query >/dev/null 2>&1; then
  for p in $(packages); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
else
  echo "nanomega: not a Debian/Ubuntu system (no dpkg-query): install the packages of scripts/debian-packages yourself" >&2
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "nanomega: missing Debian packages: ${missing[*]} — sudo apt-get install ${missing[*]} (or run this as root: sudo npm ${want/run/start})" >&2
    exit 1
  fi
  echo "nanomega: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "${NANOMEGA_SETUP_PACKAGES_ONLY:-}" = 1 ] && exit 0

# node_modules from package-lock.json, whenever the lock changed since the last install. Electron's
# binary is never downloaded (typings only; package.json's allowScripts denies its install script).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "nanomega: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  # npm ci ran the prepare script: the tree is built.
  mkdir -p dist && touch dist/.setup-build
fi

# A build whenever a source is newer than the last one (or there is none).
stamp=dist/.setup-build
if [ ! -f "$stamp" ] || [ -n "$(find engine cli web electron renderer shim bin scripts test bench package.json tsconfig*.json vite*.ts \
    -newer "$stamp" -type f -not -path 'shim/build/*' -print -quit 2>/dev/null)" ]; then
  echo "nanomega: npm run build"
  npm run -s build
  touch "$stamp"
fi
