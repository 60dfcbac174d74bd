/* shim/src/protocol.h — the engine <-> shim wire protocol.

   Mirrored by engine/shim/protocol.ts; a unit test
   (test/unit/engine/shim/protocol.test.ts) parses this file and checks
   that the two lists agree, so change both together.

   Transport: the engine spawns the shim with NANOMEGA_SYNC_FD=<n> (always 3
   today), a unix stream socket; or a launcher (`nanomega-shim --launcher
   <base>/launch.sock`, launcher.c) forks the monitor, which connects to that
   socket and sends ATTACH first — the connection then serves as the sync
   socket, unchanged.  Console clients and control clients use
   the unix sockets <dir>/console (raw bytes) and <dir>/control (frames).

   Every frame, in both directions, is a header in native byte order
   followed by LEN bytes of payload:  */

#ifndef SHIM_PROTOCOL_H
#define SHIM_PROTOCOL_H

#include <stdint.h>

struct shim_frame_header
{
  uint32_t type; /* enum shim_msg.  */
  uint32_t len;  /* payload bytes that follow, at most SHIM_MAX_PAYLOAD.  */
};

#define SHIM_MAX_PAYLOAD (1024 * 1024)

enum shim_msg
{
  SHIM_MSG_BOOTSTRAP = 0x50, /* engine -> shim: "key=value\0" ...  */
  SHIM_MSG_PID,              /* shim -> engine: "<monitorpid> <initpid>".  */
  SHIM_MSG_MOUNTED,          /* shim -> engine: the container's mounts are made
                                (pivot_root comes after preinit); netns ready
                                for veths (/proc/<initpid>/ns/net).  */
  SHIM_MSG_CONTINUE,         /* engine -> shim: go on after MOUNTED; payload:
                                the container's NICs (below), relayed to the
                                child.  */
  SHIM_MSG_READY,            /* shim -> engine: preinit done, pivot_root done,
                                caps dropped, fds closed; child blocked before
                                exec.
                                Payload "frozen" when the monitor froze the
                                cgroup (bootstrap freeze=/freezer=), else
                                empty.  */
  SHIM_MSG_EXEC,             /* engine -> shim: cgroup frozen; exec init on thaw.  */
  SHIM_MSG_ERROR,            /* shim -> engine: "<errno>\0<message>"; the child
                                is dead, the monitor cleans up and exits.  */
  SHIM_MSG_ABORT,            /* engine -> shim: kill the child, clean up, exit.  */
  SHIM_MSG_HELLO,            /* monitor -> control client on connect:
                                "<monitorpid> <initpid> <phase>",
                                phase = starting|ready|running.  */
  SHIM_MSG_RESIZE,           /* control client -> monitor: "<cols> <rows>".  */
  SHIM_MSG_EXITED,           /* monitor -> engine and control clients: the
                                exit record ("code=N\n" or "signal=N\n", then
                                "time=<epoch ms>\n"), also in <dir>/exit.  */
  SHIM_MSG_ATTACH,           /* monitor -> engine, first frame on the launch
                                socket: "<token>" of the launcher request that
                                forked it; then the connection is the sync
                                socket.  */
  SHIM_MSG_ADDRS,            /* control client -> monitor, empty: which
                                interfaces and addresses does the container's
                                network namespace have?  The monitor answers
                                ADDRS (below), in request order.  */
  /* The exec socket <dir>/exec (exec.c): one process per connection, run
     inside the container under init's confinement (see EXEC_START keys
     below).  */
  SHIM_MSG_EXEC_START,       /* exec client -> monitor: "key=value\0" ...  */
  SHIM_MSG_EXEC_ATTACH,      /* exec client -> monitor: "<token>" of a
                                detached session to take over: its output
                                from where it stopped, then EXITED.  One
                                that already ended and told its client
                                answers its last frame alone (the last
                                1024 are remembered); ERROR ENOENT means no
                                session with that token ever started.  */
  SHIM_MSG_EXEC_STARTED,     /* monitor -> exec client: "<hostpid> <pid>",
                                the process's pid on the host and in the
                                container.  */
  SHIM_MSG_EXEC_STDIN,       /* exec client -> monitor: bytes for the
                                process's stdin; empty: close it.  */
  SHIM_MSG_EXEC_STDOUT,      /* monitor -> exec client: bytes (with tty=1,
                                everything the pty printed).  */
  SHIM_MSG_EXEC_STDERR,      /* monitor -> exec client: bytes.  */
  SHIM_MSG_EXEC_SIGNAL,      /* exec client -> monitor: "<signo>" for the
                                process.  */
  SHIM_MSG_EXEC_EXITED,      /* monitor -> exec client: "code=N\n" or
                                "signal=N\n", after all of its output;
                                then the monitor closes the connection.  */
};

/* Bootstrap keys (repeated keys are lists, kept in order):
     id, name, dir (absolute instance dir), rootfs (absolute dir),
     snapshot (0|1), hostname, uuid, init (argv, repeated),
     env (KEY=VAL, repeated), cwd (init's working directory inside
     the container, absolute; default /), preinit (absolute host path, run before
     pivot_root, see preinit.h; may be empty), fifos (N), volume ("rw|<hostsrc>|<dst>" or "ro|...", repeated),
     cgroup (absolute cgroup dir to join, repeated), caps (extra capability
     names beyond the default: Docker's 14 and NET_ADMIN, e.g. NET_BROADCAST,
     repeated), cols, rows
     (pty size, default 80x24), scrollback (bytes, default 65536),
     seccomp (0|1), tun (0|1), devcgroup (cgroup2 dir for the eBPF device
     filter), freeze (cgroup2 dir) or freezer (v1 freezer dir): the
     monitor freezes it after the child's READY, before passing READY on,
     disksize (bytes, snapshot mode): the monitor mounts a tmpfs of that size
     at <dir>/layer (unless one is there from an earlier incarnation) for the
     overlay's upper and work dirs; absent: they are <dir>/upper, <dir>/work.
   An unknown key is an error.  */

/* CONTINUE keys ("key=value\0" like BOOTSTRAP; empty when there are no
   NICs):
     nic ("<ifname>|<address>", repeated): the container end of a veth the
     engine created in the child's network namespace (veth0, veth1, ...);
     the address is "a.b.c.d[/len]" or an IPv6 address "[/len]", or empty.
   The child brings lo (always) and each nic up and adds the addresses over
   rtnetlink (netlink.c) before preinit, still with all capabilities.  A
   failure is an ERROR naming the interface and the address.  */

/* ADDRS answer: one line per interface of the container's network
   namespace, lo included, in kernel (ifindex) order:
     "<ifname>\t<mac>\t<IPv4 CIDRs>\t<IPv6 CIDRs>\n"
   the CIDRs comma-separated ("10.1.0.1/24,10.1.0.9/24"), possibly empty,
   the MAC lower-case "xx:xx:xx:xx:xx:xx" or empty.  What `ip addr show`
   dumps, read by the monitor over rtnetlink from inside the namespace
   (netlink-addrs.c); at most 64 KiB of whole lines.  A failure is
   "<errno>\0<message>" like ERROR (an answer never contains NUL).  */

/* EXEC_START keys ("key=value\0" like BOOTSTRAP; repeated keys are lists):
     arg (argv, repeated; at least one unless put= or get=), env (KEY=VAL,
     repeated, on top of init's environment), cwd (inside the container,
     default "/"), tty (0|1: a new pty of the container's devpts as
     stdin/stdout/stderr; RESIZE "<cols> <rows>" on the exec connection
     sizes it), cols, rows, stdin (0|1, default 1: 0 gives an empty stdin),
     token (1-64 of [A-Za-z0-9._-]: names the session for EXEC_ATTACH),
     detach (0|1: when the client goes, the session keeps running, its output
     waiting in the pipes, until a client attaches with the token; else the
     process is killed), put (a path: write stdin to that regular file,
     creating it (mode, octal, default 0644) and its missing parent
     directories) or get (a path: copy that regular file to stdout).
   The process runs only while the container runs (phase running): it joins
   init's cgroups and every namespace of init (pid, mount, uts, ipc, net,
   cgroup), resolves cwd inside the container's root, and gets the
   confinement of init (confine.c) before it runs the command.  A failure
   before the command runs is ERROR "<errno>\0<message>", then the
   connection is closed.  */

#endif
