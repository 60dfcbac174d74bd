import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { open } from 'node:fs/promises';
import { captureChunks } from '../engine/api/node/capture-stream.js';
import { clientOf, isAppFrame } from './ipc.js';

/** Channel of the renderer's "save this capture" request (renderer/lib/download.ts). */
export const CAPTURE_SAVE = 'capture:save';

/**
 * A capture's pcap saved where the user picks in a save dialog: chunks come through this window's
 * own daemon connection (capture.read); main writes them. Nothing is interpreted here.
 */
export function registerCaptureSave(): void {
  ipcMain.handle(CAPTURE_SAVE, async (event: IpcMainInvokeEvent, id: unknown, name: unknown) => {
    if (!isAppFrame(event.sender, event.senderFrame)) return { saved: false, error: 'unexpected sender' };
    const client = clientOf(event.sender);
    if (!client || !Number.isSafeInteger(id) || typeof name !== 'string') return { saved: false, error: 'bad request' };
    const win = BrowserWindow.fromWebContents(event.sender);
    const opts = { defaultPath: name.replace(/[/\\]/g, '_'), filters: [{ name: 'Packet capture', extensions: ['pcap'] }] };
    const pick = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
    if (pick.canceled || !pick.filePath) return { saved: false };
    const fh = await open(pick.filePath, 'w', 0o600);
    try {
      for await (const chunk of captureChunks(client, id as number)) await fh.write(chunk);
    } finally {
      await fh.close();
    }
    return { saved: true, path: pick.filePath };
  });
}
