import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aptProxy, chooseMirror, DEFAULT_MIRROR, parseDeb822, parseSourcesList } from '../../../../engine/rootfs/apt-sources.js';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.lab/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.lab/debian-security
Suites: bookworm-security
Components: main
`;

test('deb822 stanzas: the release archive with its keyring, security skipped', () => {
  const s = parseDeb822(DEB822);
  assert.equal(s.length, 2);
  assert.deepEqual(chooseMirror(s, 'bookworm'), { uri: 'http://mirror.lab/debian', keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' });
  assert.equal(chooseMirror(s, 'trixie').uri, 'http://mirror.lab/debian', 'the same mirror serves another release');
});

test('one-line sources.list with options; third-party repositories are not taken for Debian', () => {
  const s = parseSourcesList(
    [
      '# comment',
      'deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/debian bookworm stable',
      'deb https://deb.nodesource.com/node_20.x nodistro main',
      'deb-src http://ftp.de.debian.org/debian bookworm main',
      'deb http://ftp.de.debian.org/debian/ bookworm main contrib',
    ].join('\n'),
  );
  assert.equal(s[0]!.signedBy, '/etc/apt/keyrings/docker.gpg');
  assert.deepEqual(chooseMirror(s, 'bookworm'), { uri: 'http://ftp.de.debian.org/debian', keyring: '' });
  assert.equal(chooseMirror(parseSourcesList('deb https://deb.nodesource.com/node_20.x nodistro main'), 'bookworm').uri, DEFAULT_MIRROR);
  assert.equal(chooseMirror([], 'bookworm').uri, DEFAULT_MIRROR);
});

test("apt's proxy is read from apt-config dump", () => {
  assert.equal(aptProxy('APT "";\nAcquire::http::Proxy "http://cache.lab:3142";\n'), 'http://cache.lab:3142');
  assert.equal(aptProxy('APT "";\n'), '');
});
