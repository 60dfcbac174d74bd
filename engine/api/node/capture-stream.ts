/**
 * A capture's pcap file read through the contract (capture.read), chunk by chunk: what the web
 * relay's download and Electron's save dialog both send on. A running capture yields what its file
 * holds when the read gets there (whole records: the engine only ever appends whole ones).
 */
import type { CaptureInfo, FileChunk } from '../types.js';
import type { EngineTransport, Result } from '../contract.js';
import { EngineError } from '../errors.js';

/** Bytes per capture.read: one JSON frame of base64 each. */
export const CHUNK_BYTES = 512 * 1024;

async function call<T>(t: Pick<EngineTransport, 'request'>, name: string, args: unknown[]): Promise<T> {
  const r = (await t.request(name, args)) as Result<T>;
  if (!r.ok) throw new EngineError(r.error.code, r.error.message, r.error.detail ?? {});
  return r.value;
}

/** The capture with this id, or undefined. */
export async function findCapture(t: Pick<EngineTransport, 'request'>, id: number): Promise<CaptureInfo | undefined> {
  return (await call<CaptureInfo[]>(t, 'capture.list', [])).find((c) => c.id === id);
}

export async function* captureChunks(t: Pick<EngineTransport, 'request'>, id: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (;;) {
    const chunk = await call<FileChunk>(t, 'capture.read', [id, offset, CHUNK_BYTES]);
    const data = Buffer.from(chunk.data, 'base64');
    if (data.length) yield data;
    offset += data.length;
    if (chunk.eof || data.length === 0 || offset >= chunk.size) return;
  }
}
