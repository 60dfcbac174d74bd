// What `nanomega rootfs build debian` puts into a Debian root besides debootstrap's own work: the
// package set, the /init of minimega's containerfs, sshd's and dhclient's settings. Pure text.

/** Packages every image gets on top of debootstrap's minbase: `ip` and the DHCP client /init runs. */
export const BASE_PACKAGES = ['iproute2', 'isc-dhcp-client'];
/** With --sshd. */
export const SSHD_PACKAGES = ['openssh-server'];
export const DEFAULT_SUITE = 'bookworm';

/** Written into the image so a later `--force` knows the directory is one of ours. */
export const MARKER = 'etc/nanomega-rootfs';

/** Debian package names (Policy §5.6.1), optionally with an architecture qualifier. */
const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$/;
/** Release codenames and aliases (bookworm, trixie, stable, sid). */
const SUITE_RE = /^[a-z][a-z0-9-]{1,30}$/;
/** One OpenSSH public key line: type, base64 body, optional comment. */
const PUBKEY_RE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;

export function isPackageName(p: string): boolean {
  return PACKAGE_RE.test(p);
}

export function isSuiteName(s: string): boolean {
  return SUITE_RE.test(s);
}

/** The key lines of an authorized_keys-style file, or undefined when a line is not a public key. */
export function publicKeyLines(text: string): string[] | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return lines.length > 0 && lines.every((l) => PUBKEY_RE.test(l)) ? lines : undefined;
}

/** debootstrap's argv: minbase (apt, dpkg, a shell) plus our packages, from `mirror`. */
export function debootstrapArgv(o: { suite: string; target: string; mirror: string; keyring: string; packages: readonly string[]; proxy: string }): string[] {
  const argv = o.proxy === '' ? [] : ['env', `http_proxy=${o.proxy}`];
  argv.push('debootstrap', '--variant=minbase', '--components=main', `--include=${o.packages.join(',')}`);
  if (o.keyring !== '') argv.push(`--keyring=${o.keyring}`);
  argv.push(o.suite, o.target, o.mirror);
  return argv;
}

/**
 * minimega's containerfs /init (misc/vmbetter_configs/miniccc_container_overlay), our way: lo up,
 * a DHCP client on every vethN in the background (NICs exist before init runs), sshd with an
 * ed25519 host key made on first boot (so no two containers share one; ed25519 because 100
 * containers making RSA keys on 2 cores take half a minute), and a login shell on the console that
 * comes back when it exits.
 */
export const INIT = `#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
ip link set lo up
for dev in /sys/class/net/veth*; do
  [ -e "$dev" ] || continue
  n=\${dev##*/}
  ip link set "$n" up
  dhclient -nw -pf "/run/dhclient.$n.pid" -lf "/var/lib/dhcp/dhclient.$n.leases" "$n" >/dev/null 2>&1
done
if [ -x /usr/sbin/sshd ]; then
  [ -s /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
  mkdir -p /run/sshd
  /usr/sbin/sshd
fi
echo "nanomega debian container $(hostname)"
cd /root
while true; do /bin/bash -l; done
`;

/**
 * sshd drop-in (bookworm's sshd_config includes sshd_config.d/*.conf first, and the first value
 * wins): root by key only; no PAM, whose pam_loginuid fails without CAP_AUDIT_CONTROL.
 */
export const SSHD_CONF = `# nanomega container: root logs in by key only; the host key is made on first boot by /init.
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
HostKey /etc/ssh/ssh_host_ed25519_key
`;

/**
 * Appended to /etc/dhcp/dhclient.conf: containers often start before the lab's dnsmasq. Debian's
 * defaults give up after 60 s and then sleep 5 minutes; these keep asking every few seconds.
 */
export const DHCLIENT_TUNING = `
# nanomega: the DHCP server may start after the container; keep asking every few seconds.
timeout 3600;
retry 5;
initial-interval 1;
backoff-cutoff 4;
`;
