#!/bin/bash
# minimega's own language tests, taken unchanged from a minimega checkout, through `nanomega test`.
#
#   sudo MINIMEGA_TESTS=/path/to/minimega/tests scripts/minimega-tests.sh [TEST...]
#   sudo MINIMEGA_TESTS=… MINITEST=/path/to/minitest scripts/minimega-tests.sh [TEST...]
#
# With MINITEST (minimega's own test runner, built from the same checkout: `go build ./cmd/minitest`)
# the tests run through it, over the daemon's minimega socket, instead of through `nanomega test`.
# Without MINIMEGA_TESTS it prints why it skipped and exits 0. It needs root, a built tree
# (npm run build) and busybox-static. The tests are copied into a temporary directory with minimega's
# own prolog and epilog; the ones that launch KVM VMs in minimega (SUBSTITUTED below) get
# `vm launch kvm` → `vm launch container` and a first line `vm config filesystem $images/minicccfs`,
# in the script and in its .want alike ($images/minicccfs is a busybox root built here). A scratch
# daemon runs them with --filepath /tmp/minimega/files, the files directory of minimega's default base,
# which their .want files print. Exit status: that of `nanomega test`.
set -u
AS_IS=(container_lifecycle history vm_config vlans read_namespace plumbing_basic cc_filter vm_lifecycle_cc container_volumes cc taps_lifecycle taps_namespace plumbing_miniccc check debug)
SUBSTITUTED=(vm_lifecycle vm_bad_names vm_tags vm_uuid vm_net builtins namespace vm_qos capture tap_mirror_vm cc_reconnect)
# Not run by default (they differ from their .want: see the README), substituted when named.
ALSO_SUBSTITUTED=(vm_config_net vm_lifecycle_net)
# Not run by default, as is when named: router router_static router_ospf router_bgp. They differ only in
# what minirouter does inside the VMs (test/integration/minimega-tests.test.ts checks that).
# Not run by default, as is when named: bridge_trunk. It trunks minitest_tap0, which minimega's Open vSwitch
# takes before any such device exists; nanomega trunks only an interface that exists, so the script makes
# minitest_tap0 (a veth pair) for it. Its `shell ovs-vsctl` lines differ (no Open vSwitch here).

if [ -z "${MINIMEGA_TESTS:-}" ]; then
  echo "minimega-tests: skipped: MINIMEGA_TESTS is not set (point it at a minimega checkout's tests/)"
  exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)
nanomega=(node "$root/bin/nanomega.js")
work=$(mktemp -d /tmp/nm-minimega-tests.XXXXXX)
base=$work/base
export images=$work/images
pid=
cleanup() {
  if [ -n "$pid" ]; then
    "${nanomega[@]}" --base "$base" nuke >/dev/null 2>&1
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  [ -n "${trunk_veth:-}" ] && ip link del minitest_tap0 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${AS_IS[@]}" "${SUBSTITUTED[@]}")
mkdir -p "$work/tests" "$images"
cp "$MINIMEGA_TESTS/prolog" "$MINIMEGA_TESTS/epilog" "$work/tests/"
for t in "${want[@]}"; do
  if [[ " ${SUBSTITUTED[*]} ${ALSO_SUBSTITUTED[*]} " == *" $t "* ]]; then
    { echo 'vm config filesystem $images/minicccfs'; sed 's/vm launch kvm/vm launch container/' "$MINIMEGA_TESTS/$t"; } > "$work/tests/$t"
    { echo '## vm config filesystem $images/minicccfs'; sed '/^## /s/vm launch kvm/vm launch container/' "$MINIMEGA_TESTS/$t.want"; } > "$work/tests/$t.want"
  else
    cp "$MINIMEGA_TESTS/$t" "$MINIMEGA_TESTS/$t.want" "$work/tests/"
  fi
done

"${nanomega[@]}" rootfs build busybox "$images/minicccfs" >/dev/null || exit 1
# The router tests run on minimega's minirouterfs image (minirouter, dnsmasq, bird): a busybox root
# here, with a preinit that does nothing. Without minirouter inside, the committed file arrives
# through cc but is not applied (see the README's router section for the lines that differ).
if [[ " ${want[*]} " == *" router"* ]]; then
  "${nanomega[@]}" rootfs build busybox "$images/minirouterfs" >/dev/null || exit 1
  printf '#!/bin/sh\nexit 0\n' > "$images/minirouterfs/preinit"
  chmod 755 "$images/minirouterfs/preinit"
fi
if [[ " ${want[*]} " == *" bridge_trunk "* ]] && [ ! -e /sys/class/net/minitest_tap0 ]; then
  ip link add minitest_tap0 type veth peer name minitest_tap1 && trunk_veth=1
fi
"${nanomega[@]}" serve --base "$base" --filepath /tmp/minimega/files > "$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -S "$base/nanomega.sock" ] && break; sleep 0.1; done
if [ -z "${MINITEST:-}" ]; then
  "${nanomega[@]}" --base "$base" test "$work/tests"
  exit
fi
# minimega's own minitest, over the daemon's minimega socket: it writes each test's .got and says only
# "got != want"; the verdicts below are the PASS and FAIL lines `nanomega test` prints, each FAIL with
# a `diff -u` of the .want and the .got.
"$MINITEST" -base "$base" -dir "$work/tests" -level error || exit 1
passed=0 failed=0
for t in "${want[@]}"; do
  if d=$(diff -u "$work/tests/$t.want" "$work/tests/$t.got"); then
    echo "PASS $work/tests/$t"; passed=$((passed + 1))
  else
    printf 'FAIL %s\n%s\n' "$work/tests/$t" "$d"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
