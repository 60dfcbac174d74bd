#!/bin/sh
# The nanomega program with the runtime it was packaged with: bin/nanomega runs the native client for
# -e/attach and `node` (found first on PATH: the packaged one) for the rest. The host's Node is never used.
here=$(dirname "$(readlink -f "$0")")
PATH="$here/node/bin:$PATH"
export PATH
exec "$here/bin/nanomega" "$@"
