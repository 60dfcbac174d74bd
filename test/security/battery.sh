# test/security/battery.sh — the confinement battery (security-and-reliability.md,
# "The battery"), run by busybox sh as a container's init:
#
#   vm config init /kit/probe fds-then /bin/busybox sh /kit/battery.sh MODE DISK ESCAPE [KEY=VALUE...]
#
# MODE     default | relaxed (caps NET_BROADCAST, seccomp false, tun true)
# DISK     major:minor of a host block device (the root disk)
# ESCAPE   a name this script creates in its own / (the host must never see it)
# via=     init (default) | exec: run by `vm exec`, not as pid 1
# hostif=  the name of a host interface (the container must not be able to touch it)
# disksize= the container's vm config disk-size in bytes: / is filled until ENOSPC, which must
#          come at that size (none, the default: snapshot false, nothing is filled)
#
# Run it with memory 1024 or more: 4096 forked processes cost ~300 MB of kernel memory,
# which the memory cgroup charges too.
#
# test/security/battery-expected.ts lists the checks that must print PASS for each run.
#
# Prints one "PASS <check>" or "FAIL <check>: <why>" line per check, also to
# /kit/results, then "BATTERY DONE" and exits 0. Nothing here is destructive:
# sysrq gets 'h', /proc/sys and /sys get their current values back, clocks
# are set to the time they already have.
MODE=${1:-default}
DISK=${2:-8:0}
ESCAPE=${3:-nm-escape}
VIA=init
HOSTIF=eth0
DISKSIZE=none
BADARG=""
shift 3
for a in "$@"; do
  case "$a" in
    via=*) VIA=${a#via=} ;;
    hostif=*) HOSTIF=${a#hostif=} ;;
    disksize=*) DISKSIZE=${a#disksize=} ;;
    *) BADARG="$BADARG $a" ;;
  esac
done
B="/bin/busybox"
P=/kit/probe
OUT=/kit/results
: > "$OUT"

say() { echo "$*"; echo "$*" >> "$OUT"; }
pass() { say "PASS $1"; }
fail() { say "FAIL $1: $2"; }
check() { # check NAME CONDITION-EXIT-STATUS WHY
  if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi
}
# Run the probe, copy its PASS/FAIL lines into the results.
probe() { "$P" "$@" > /tmp/probe.out 2>&1; while IFS= read -r l; do say "$l"; done < /tmp/probe.out; }
# expect_err NAME PATTERN CMD...: CMD must fail and its stderr match PATTERN.
expect_err() {
  name=$1 pat=$2; shift 2
  if "$@" > /tmp/err.out 2>&1; then fail "$name" "succeeded: $*"; return; fi
  if $B grep -qiE "$pat" /tmp/err.out; then pass "$name"; else fail "$name" "$($B head -c 200 /tmp/err.out)"; fi
}

# fds: what the shim handed to init (checked by the probe before it exec'd us).
[ -n "$BADARG" ] && fail "battery-arguments" "unknown:$BADARG"

case "$PROBE_FDS" in
  PASS) pass "proc-1-fd-only-0-1-2" ;;
  *) fail "proc-1-fd-only-0-1-2" "${PROBE_FDS:-probe did not run as init}" ;;
esac

# capabilities, no_new_privs, seccomp
if [ "$MODE" = relaxed ]; then probe unconfined 800; else probe status; fi

# only our own processes
n=$($B ls /proc | $B grep -cE '^[0-9]+$')
check "proc-only-own-processes" "$([ "$n" -le 8 ] && echo 0 || echo 1)" "$n processes visible"
if [ "$VIA" = exec ]; then
  # entered into the container's pid namespace beside its init, not as pid 1
  check "exec-beside-init" "$([ $$ -ne 1 ] && ! $B grep -q battery /proc/1/cmdline && echo 0 || echo 1)" "pid $$, init $($B tr '\0' ' ' < /proc/1/cmdline)"
else
  check "proc-1-is-our-init" "$($B grep -q battery /proc/1/cmdline && echo 0 || echo 1)" "$($B tr '\0' ' ' < /proc/1/cmdline)"
fi

# only lo (and our own veths) in /sys/class/net
bad=""
for i in $($B ls /sys/class/net); do case "$i" in lo|eth*|veth*) ;; *) bad="$bad $i" ;; esac; done
check "sys-class-net-own-only" "$([ -z "$bad" ] && echo 0 || echo 1)" "foreign interfaces:$bad"

# hostname x: refused without CAP_SYS_ADMIN (and it is our own UTS namespace anyway;
# the host side checks the host's hostname afterwards)
if $B hostname x 2>/tmp/err.out; then
  check "hostname-own-uts" "$([ "$($B hostname)" = x ] && echo 0 || echo 1)" "hostname is $($B hostname)"
else
  check "hostname-x-eperm" "$($B grep -qi 'not permitted' /tmp/err.out && echo 0 || echo 1)" "$($B cat /tmp/err.out)"
fi

# cgroup namespace: every hierarchy shows the container's root
check "proc-self-cgroup-root" "$($B grep -q '^0::/$' /proc/self/cgroup && ! $B grep -qv ':/$' /proc/self/cgroup && echo 0 || echo 1)" "$($B tr '\n' ' ' < /proc/self/cgroup)"

# mounts
$B mkdir -p /tmp/m
# expect_msg NAME PATTERN CMD...: CMD's output must match PATTERN (busybox date reports
# a failed settime but exits 0).
expect_msg() {
  name=$1 pat=$2; shift 2
  "$@" > /tmp/err.out 2>&1
  if $B grep -qiE "$pat" /tmp/err.out; then pass "$name"; else fail "$name" "$($B head -c 200 /tmp/err.out)"; fi
}
expect_err "mount-proc" "permission denied|not permitted" $B mount -t proc proc /tmp/m
expect_err "mount-tmpfs" "permission denied|not permitted" $B mount -t tmpfs tmpfs /tmp/m
expect_err "mount-cgroup" "permission denied|not permitted" $B mount -t cgroup -o memory cgroup /tmp/m
expect_err "umount-proc-sys" "permission denied|not permitted" $B umount /proc/sys
expect_err "nsenter-host-net" "not permitted|no such|can't open" $B nsenter -t 1 -n true
if [ "$MODE" = relaxed ]; then
  # seccomp false: user namespaces (and with them mount & co. inside them) are allowed;
  # that is the documented cost of the option. Nothing below the deny list is checked.
  say "# relaxed: seccomp deny list not applied (unshare -Urm works)"
else
  expect_err "unshare-Urm" "not permitted" $B unshare -Urm true
  # the syscall deny list, errno-exact
  probe syscalls
  # vsock is not isolated by the network namespace: refused by the filter
  probe vsock
fi

# read-only /proc/sys, /proc/sysrq-trigger ('h' only), /sys, /proc/irq
if [ -e /proc/sysrq-trigger ]; then
  expect_err "sysrq-trigger-h-erofs" "read-only" $B sh -c 'echo h > /proc/sysrq-trigger'
  probe erofs /proc/sysrq-trigger
else
  pass "sysrq-trigger (absent: kernel without CONFIG_MAGIC_SYSRQ)"
fi
expect_err "proc-sys-erofs" "read-only" $B sh -c "cat /proc/sys/vm/overcommit_memory > /proc/sys/vm/overcommit_memory"
probe erofs /proc/sys/vm/overcommit_memory
probe erofs /sys/class/net/lo/mtu
[ -e /proc/irq/default_smp_affinity ] && probe erofs /proc/irq/default_smp_affinity
expect_err "sys-create-erofs" "read-only" $B touch /sys/nm-probe

# masked paths read empty (or are absent)
for p in /proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats \
         /proc/sched_debug /proc/scsi /sys/firmware /sys/devices/virtual/powercap \
         $($B ls -d /sys/devices/system/cpu/cpu*/thermal_throttle 2>/dev/null); do
  if [ ! -e "$p" ]; then pass "masked $p (absent)"; continue; fi
  # A masked directory is also read-only (every one is a bind of the container's one empty tmpfs).
  if [ -d "$p" ]; then c=$($B ls -A "$p" | $B wc -l); $B touch "$p/nm-probe" 2>/dev/null && c="$c, writable"
  else c=$($B head -c 4096 "$p" 2>/dev/null | $B wc -c); fi
  check "masked $p" "$([ "$c" = 0 ] && echo 0 || echo 1)" "$c entries/bytes visible"
done

# devices: host disk, mem, kmsg, tty0, tty1 cannot be opened even after mknod
probe dev disk b "${DISK%:*}" "${DISK#*:}"
probe dev mem c 1 1
probe dev kmem c 1 2
probe dev port c 1 4
probe dev kmsg c 1 11
probe dev tty0 c 4 0
probe dev tty1 c 4 1
probe dev console-host c 5 1
probe dev-ok null c 1 3
check "dev-console-is-own-pty" "$([ "$($B stat -c %t "$(readlink -f /dev/console)")" = 88 ] && echo 0 || echo 1)" "$($B stat -c '%t:%T' /dev/console)"
if [ "$MODE" = relaxed ]; then
  check "dev-net-tun-present" "$([ -c /dev/net/tun ] && echo 0 || echo 1)" "no /dev/net/tun"
  check "dev-net-tun-opens" "$($B sh -c ': < /dev/net/tun' 2>/dev/null && echo 0 || echo 1)" "open /dev/net/tun failed"
else
  check "dev-net-tun-absent" "$([ ! -e /dev/net/tun ] && echo 0 || echo 1)" "/dev/net/tun exists"
  probe dev tun c 10 200
fi

# dmesg, insmod, date -s, ip link add, ulimit -n
expect_err "dmesg" "not permitted" $B dmesg
printf 'not a module' > /tmp/x.ko
if [ "$MODE" = relaxed ]; then
  # without seccomp the kernel answers: EPERM (no CAP_SYS_MODULE), or ENOSYS without module support
  expect_err "insmod" "not permitted|not support" $B insmod /tmp/x.ko
else
  expect_err "insmod" "not permitted" $B insmod /tmp/x.ko
fi
expect_msg "date-s" "not permitted" $B date -s "$($B date '+%Y-%m-%d %H:%M:%S')"
# NET_ADMIN (a default capability): the container's own netns is its to configure; the host's
# links, routes and netfilter are out of reach (the host side compares them before and after).
if $B ip addr add 127.0.0.9/8 dev lo 2>/tmp/err.out; then pass "net-admin-ip-addr-add"; else fail "net-admin-ip-addr-add" "$($B cat /tmp/err.out)"; fi
if $B ip route add 198.51.100.0/24 dev lo 2>/tmp/err.out && $B ip route | $B grep -q 198.51.100.0/24; then
  pass "net-admin-ip-route-add"
else
  fail "net-admin-ip-route-add" "$($B cat /tmp/err.out)"
fi
$B ip route del 198.51.100.0/24 dev lo 2>/dev/null
$B ip addr del 127.0.0.9/8 dev lo 2>/dev/null
# sysctl net.* of its own netns: /proc/sys/net is writable, the rest of /proc/sys is not (checked above).
old=$($B cat /proc/sys/net/ipv4/ip_forward)
if echo 1 > /proc/sys/net/ipv4/ip_forward 2>/tmp/err.out && [ "$($B cat /proc/sys/net/ipv4/ip_forward)" = 1 ]; then
  pass "net-admin-sysctl-ip-forward"
else
  fail "net-admin-sysctl-ip-forward" "$($B cat /tmp/err.out)"
fi
echo "$old" > /proc/sys/net/ipv4/ip_forward
expect_err "net-admin-host-link-unreachable" "cannot find|no such|not found" $B ip link set dev "$HOSTIF" mtu 1280
# netfilter inside: only where the root has the tools (the host filesystem variant has the host's).
if command -v nft > /dev/null 2>&1; then
  if nft add table inet nmbattery 2>/tmp/err.out && nft list tables 2>&1 | $B grep -q nmbattery; then pass "net-admin-nft-own-table"; else fail "net-admin-nft-own-table" "$($B head -c 200 /tmp/err.out)"; fi
  nft delete table inet nmbattery 2>/dev/null
else
  say "# no nft in this root: netfilter checked where the root has it"
fi
if command -v iptables > /dev/null 2>&1; then
  if iptables -A INPUT -s 192.0.2.99 -j DROP 2>/tmp/err.out && iptables -S INPUT 2>&1 | $B grep -q 192.0.2.99; then pass "net-admin-iptables-own-rule"; else fail "net-admin-iptables-own-rule" "$($B head -c 200 /tmp/err.out)"; fi
  iptables -D INPUT -s 192.0.2.99 -j DROP 2>/dev/null
fi
hard=$(ulimit -Hn)
expect_err "ulimit-n-above-hard" "not permitted|error|can't|bad" $B sh -c "ulimit -n $((hard + 1))"
probe rlimit

# the shim is nowhere to be seen
probe noshim
check "no-shim-on-disk" "$($B find / -xdev -name 'nanomega-shim*' 2>/dev/null | $B grep -q . && echo 1 || echo 0)" "found a nanomega-shim file"

# pids.max stops a fork loop
# a fork bomb aiming at 5000 processes stops at pids.max (4096)
probe forkbomb 5000

# memory limit: an allocating child is OOM-killed (137)
$B sh -c "exec $P alloc 2048" > /dev/null 2>&1
rc=$?
check "oom-kills-allocator-137" "$([ "$rc" -eq 137 ] && echo 0 || echo 1)" "exit status $rc"

# /dev/shm fills at its 64 MiB cap
$B dd if=/dev/zero of=/dev/shm/fill bs=1M count=80 > /tmp/dd.out 2>&1
sz=$($B stat -c %s /dev/shm/fill 2>/dev/null || echo 0)
$B rm -f /dev/shm/fill
check "dev-shm-capped-64m" "$([ "$sz" -le 67108864 ] && [ "$sz" -ge 60000000 ] && $B grep -qi 'no space' /tmp/dd.out && echo 0 || echo 1)" "wrote $sz bytes: $($B head -c 100 /tmp/dd.out)"

# fifos, when configured, are the engine's pipes
# the writable layer: filling / stops at the container's disk-size (a tmpfs of its own), never at
# the host's disk
if [ "$DISKSIZE" != none ]; then
  # dd's complaint goes to /dev/shm: / itself is about to be full
  $B dd if=/dev/zero of=/nm-disk-fill bs=1M count=$((DISKSIZE / 1048576 + 16)) > /dev/shm/dd.out 2>&1
  sz=$($B stat -c %s /nm-disk-fill 2>/dev/null || echo 0)
  $B rm -f /nm-disk-fill
  check "disk-fill-stops-at-disk-size" "$([ "$sz" -le "$DISKSIZE" ] && [ "$sz" -ge $((DISKSIZE - 8388608)) ] && $B grep -qi 'no space' /dev/shm/dd.out && echo 0 || echo 1)" "wrote $sz bytes with disk-size $DISKSIZE: $($B head -c 100 /dev/shm/dd.out)"
  $B rm -f /dev/shm/dd.out
fi

if [ -d /dev/fifos ]; then
  for f in /dev/fifos/*; do check "fifo $f is a fifo" "$([ -p "$f" ] && echo 0 || echo 1)" "not a fifo"; done
fi

# a file the host must never see
: > "/$ESCAPE" 2>/dev/null
say "BATTERY DONE"
