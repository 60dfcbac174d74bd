// The CLI's client of the daemon socket is the wire library's (engine/api/node/socket-client.ts).
export { EngineClient } from '../engine/api/node/socket-client.js';
export { SOCKET_NAME, socketPath } from '../engine/api/wire.js';
