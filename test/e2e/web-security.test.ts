import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { WebServer } from '../../web/server.js';
import { WEB_PROTOCOL, webProtocols } from '../../engine/api/web-auth.js';
import { startStandInWeb } from '../helpers/stand-in-web.js';

/**
 * The web bridge's gate (security-and-reliability.md item 9), against a stand-in daemon socket that
 * answers every call with the method name — so no root is needed and nothing but the gate is tested.
 */
describe('web UI gate', () => {
  let web: WebServer;
  let lines: string[];
  let close: () => Promise<void>;

  before(async () => {
    ({ web, lines, close } = await startStandInWeb('nm-web-'));
  });

  after(() => close());

  function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
    const [host, port] = web.authority.split(':');
    return new Promise((resolve, reject) => {
      const req = request({ host, port: Number(port), path, headers: { Host: web.authority, ...headers } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, headers: res.headers });
      });
      req.on('error', reject);
      req.end();
    });
  }

  function upgrade(headers: Record<string, string>, path = '/engine', protocols: string[] = []): Promise<{ status: number; ws?: WebSocket }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://${web.authority}${path}`, protocols, { headers, origin: headers.Origin });
      ws.once('open', () => resolve({ status: 101, ws }));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode! }));
      ws.once('error', () => undefined);
    });
  }

  const good = () => webProtocols(web.token);

  test('prints a loopback URL with a token', () => {
    assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{40,}$/);
  });

  test('the page is public code: served without a token, never a cookie or a redirect (review L10, I2)', async () => {
    for (const path of ['/', `/?token=${web.token}`, '/.//evil.example/?token=x']) {
      const r = await get(path);
      assert.notEqual(r.status, 401, path);
      assert.equal(r.headers['set-cookie'], undefined, `${path}: no ambient credential`);
      assert.equal(r.headers.location, undefined, `${path}: no redirect, so none to elsewhere`);
    }
  });

  test('a capture download needs the token as a Bearer header; a cookie does nothing', async () => {
    assert.equal((await get('/captures/1')).status, 401);
    assert.equal((await get('/captures/1', { Cookie: `nanomega_token=${web.token}` })).status, 401);
    assert.equal((await get('/captures/1', { Authorization: 'Bearer nope' })).status, 401);
    assert.notEqual((await get('/captures/1', { Authorization: `Bearer ${web.token}` })).status, 401);
  });

  test('refuses a wrong Host (403: DNS rebinding)', async () => {
    assert.equal((await get(`/?token=${web.token}`, { Host: `evil.example:${web.authority.split(':')[1]}` })).status, 403);
    assert.equal((await get('/captures/1', { Host: 'localhost:' + web.authority.split(':')[1], Authorization: `Bearer ${web.token}` })).status, 403);
  });

  test('does not serve files outside the renderer directory', async () => {
    assert.equal((await get('/../../../../etc/passwd')).status, 404);
    assert.equal((await get('/%2e%2e/%2e%2e/etc/passwd')).status, 404);
  });

  test('refuses a WebSocket without a token (401), or with it only as a cookie', async () => {
    assert.equal((await upgrade({ Origin: `http://${web.authority}` })).status, 401);
    assert.equal((await upgrade({ Origin: `http://${web.authority}`, Cookie: `nanomega_token=${web.token}` })).status, 401);
  });

  test('refuses a WebSocket with a wrong token (401)', async () => {
    assert.equal((await upgrade({ Origin: `http://${web.authority}` }, '/engine', webProtocols('nope'))).status, 401);
  });

  test('refuses a WebSocket from another Origin (403), with or without one', async () => {
    assert.equal((await upgrade({ Origin: 'http://evil.example' }, '/engine', good())).status, 403);
    assert.equal((await upgrade({ Origin: `https://${web.authority}` }, '/engine', good())).status, 403);
    assert.equal((await upgrade({}, '/engine', good())).status, 403);
  });

  test('refuses a WebSocket with a wrong Host (403)', async () => {
    assert.equal((await upgrade({ Origin: `http://${web.authority}`, Host: 'evil.example' }, '/engine', good())).status, 403);
  });

  test('relays a call from an authorised WebSocket to the daemon and back', async () => {
    const { status, ws } = await upgrade({ Origin: `http://${web.authority}` }, '/engine', good());
    assert.equal(status, 101);
    assert.equal(ws!.protocol, WEB_PROTOCOL, 'the token is not echoed back');
    const reply = new Promise<string>((r) => ws!.once('message', (d) => r(d.toString())));
    ws!.send(JSON.stringify({ type: 'call', id: 7, method: 'vm.info', args: [], extra: 'dropped' }));
    assert.deepEqual(JSON.parse(await reply), { type: 'result', id: 7, ok: true, value: 'vm.info' });
    assert.deepEqual(JSON.parse(lines.at(-1)!), { type: 'call', id: 7, method: 'vm.info', args: [] });
    const bad = new Promise<string>((r) => ws!.once('message', (d) => r(d.toString())));
    ws!.send('{"type":"call","id":"x"}\n{"type":"evil"}');
    assert.equal(JSON.parse(await bad).error.code, 'E_PROTOCOL');
    ws!.close();
  });
});
