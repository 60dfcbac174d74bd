/**
 * How a browser proves it holds the web UI's token (review L10). The token is never an ambient
 * credential: no cookie, which a browser would send to every port of 127.0.0.1, a local user's
 * server included. The page keeps it in sessionStorage (scoped to scheme, host and port) after the
 * first load, and presents it explicitly: as a WebSocket subprotocol at the handshake, and as a
 * Bearer token on the capture downloads it fetches.
 */

/** The subprotocol the relay answers with. */
export const WEB_PROTOCOL = 'nanomega.v1';
/** The subprotocol that carries the token (base64url is a valid subprotocol token). */
export const TOKEN_PROTOCOL_PREFIX = 'nanomega.token.';
/** sessionStorage key of the token in the page. */
export const TOKEN_STORAGE_KEY = 'nanomega-token';

/** The subprotocols a page offers: the protocol and its token. */
export function webProtocols(token: string): string[] {
  return [WEB_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
}

/** The token among offered subprotocols (`Sec-WebSocket-Protocol`, comma-separated), if any. */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  for (const p of (header ?? '').split(',')) {
    const v = p.trim();
    if (v.startsWith(TOKEN_PROTOCOL_PREFIX)) return v.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function tokenFromBearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? '');
  return m?.[1];
}
