import type { CaptureInfo } from '../../engine/api/types';
import { webToken } from '../bridge/web-token';

/** Electron only: main's save dialog for a capture (electron/capture-save.ts). */
export interface FilesBridge {
  saveCapture(id: number, suggestedName: string): Promise<{ saved: boolean; path?: string }>;
}

declare global {
  interface Window {
    nanomegaFiles?: FilesBridge;
  }
}

/** The file name a capture is offered under. */
export function captureFileName(c: CaptureInfo): string {
  const base = c.path.split('/').pop() || `capture-${c.id}.pcap`;
  return /\.(pcap|cap|pcapng)$/i.test(base) ? base : `${base}.pcap`;
}

/**
 * Saves a capture's pcap where the user says: in Electron through main's save dialog; in a browser as
 * a download fetched from the web relay with the page's token (`GET /captures/<id>`, Bearer).
 */
export async function saveCapture(c: CaptureInfo): Promise<void> {
  const name = captureFileName(c);
  if (window.nanomegaFiles) {
    await window.nanomegaFiles.saveCapture(c.id, name);
    return;
  }
  const r = await fetch(`/captures/${c.id}/${encodeURIComponent(name)}`, { headers: { Authorization: `Bearer ${webToken()}` } });
  if (!r.ok) throw new Error(`capture ${c.id}: ${r.status} ${(await r.text()).trim()}`);
  const href = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
