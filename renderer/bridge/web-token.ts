import { TOKEN_STORAGE_KEY } from '../../engine/api/web-auth';

/**
 * The web UI's token (engine/api/web-auth.ts): taken from the `?token=` the page was opened with
 * and kept in sessionStorage, which only this origin (scheme, host and port) can read and which
 * survives a reload of the tab; the address bar and history lose it at once. Never a cookie.
 */
export function webToken(): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
}
