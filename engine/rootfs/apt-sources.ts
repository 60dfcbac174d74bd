// Which Debian mirror this host's apt already uses, so `rootfs build debian` downloads from the
// same place (a local mirror, a caching proxy's URL, a snapshot) instead of the internet default.
// Reads both formats: one-line `deb URI SUITE COMPONENTS` (sources.list(5)) and deb822 stanzas
// (`Types:`/`URIs:`/`Suites:`/`Signed-By:` in *.sources). Pure: the caller reads the files.

/** Used when apt names no Debian archive. */
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  /** A keyring file from `Signed-By` / `[signed-by=…]`, '' when none. */
  signedBy: string;
}

/** `deb` entries of a one-line sources.list file (deb-src and comments skipped). */
export function parseSourcesList(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) continue;
    let rest = line.slice(3).trim();
    let signedBy = '';
    const opts = /^\[([^\]]*)\]\s*/.exec(rest);
    if (opts) {
      signedBy = /(?:^|\s)signed-by=(\S+)/.exec(opts[1]!)?.[1] ?? '';
      rest = rest.slice(opts[0].length);
    }
    const [uri, suite, ...components] = rest.split(/\s+/);
    if (uri && suite) out.push({ uri, suites: [suite], components, signedBy });
  }
  return out;
}

/** `Types: deb` stanzas of a deb822 .sources file (Enabled: no skipped). */
export function parseDeb822(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let key = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && key) {
        fields.set(key, `${fields.get(key)} ${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((key = m[1]!.toLowerCase()), m[2]!.trim());
    }
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    const signedBy = fields.get('signed-by') ?? '';
    for (const uri of words('uris')) {
      // Signed-By may also be an inline armored key (several lines); only a path is usable.
      out.push({ uri, suites: words('suites'), components: words('components'), signedBy: signedBy.startsWith('/') ? signedBy.split(/\s+/)[0]! : '' });
    }
  }
  return out;
}

/** Suites that are not a release's main archive (updates, security, backports, proposed). */
const SIDE_SUITE = /-(updates|security|backports|proposed-updates|proposed)$|\/updates$/;

/**
 * The Debian archive to bootstrap `suite` from: an entry carrying exactly that suite first, then
 * any `…/debian` main-archive entry (the same mirror serves every release), else deb.debian.org.
 */
export function chooseMirror(sources: readonly AptSource[], suite: string): { uri: string; keyring: string } {
  const main = sources.filter((s) => s.suites.some((x) => !SIDE_SUITE.test(x)) && !/security/.test(s.uri) && s.components.includes('main'));
  // A third-party repository may also call its component `main`; another release's entry is only
  // trusted when its URI is a Debian archive path.
  const pick = main.find((s) => s.suites.includes(suite)) ?? main.find((s) => /\/debian\/?$/.test(s.uri));
  return pick ? { uri: pick.uri.replace(/\/+$/, ''), keyring: pick.signedBy } : { uri: DEFAULT_MIRROR, keyring: '' };
}

/** `Acquire::http::Proxy "http://…";` from `apt-config dump`, '' when apt uses none. */
export function aptProxy(dump: string): string {
  return /^Acquire::http::Proxy "([^"]+)";$/m.exec(dump)?.[1] ?? '';
}
