#!/bin/sh
# deb post-install: create the socket group and enable the daemon (containers survive its restarts).
set -e
systemd-sysusers /usr/lib/sysusers.d/nanomega.conf 2>/dev/null || groupadd -f nanomega
systemctl daemon-reload 2>/dev/null || true
systemctl enable --now nanomega.service 2>/dev/null || true
