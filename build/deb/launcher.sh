#!/bin/sh
# The nanomega program with the runtime it was packaged with: the host's Node is never used.
here=$(dirname "$(readlink -f "$0")")
PATH="$here/node/bin:$PATH"
export PATH
exec "$here/node/bin/node" "$here/bin/nanomega.js" "$@"
