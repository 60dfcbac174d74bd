#!/bin/sh
# shim/check-deps.sh CC — before the first compile: every header and static library the shim, the
# native client and the probe need, each mapped to the Debian package that has it. A missing one is
# one line naming the package and the apt-get command, never a compiler error.
cc=${1:-gcc}
missing=
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "nanomega: the C compiler \`$cc\` is missing: sudo apt-get install gcc make libc6-dev" >&2
  exit 1
fi
header() { echo "#include <$1>" | "$cc" -E -x c - >/dev/null 2>&1 || missing="$missing $2"; }
static() { case $("$cc" -print-file-name="$1") in /*) ;; *) missing="$missing $2" ;; esac; }
header stdio.h libc6-dev
static libc.a libc6-dev
header seccomp.h libseccomp-dev
static libseccomp.a libseccomp-dev
header jansson.h libjansson-dev
static libjansson.a libjansson-dev
header histedit.h libedit-dev
static libedit.a libedit-dev
static libtinfo.a libncurses-dev
static libbsd.a libbsd-dev
static libmd.a libmd-dev
[ -z "$missing" ] && exit 0
pkgs=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
echo "nanomega: building the shim needs Debian packages that are not installed: $pkgs — sudo apt-get install $pkgs" >&2
exit 1
