// Who may call the main process: our page, in the top frame of our window. Anything else (another
// window, an iframe, a page the window was somehow navigated to) is refused before its call is read.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IpcMainInvokeEvent } from 'electron';

/** The parts of an IPC event the check reads. */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** The part of our window the check reads. */
export interface SenderWindow {
  readonly webContents: unknown;
}

/**
 * True when the call comes from the top frame of `window`, showing `rendererIndex` (a file path)
 * or, in a development build, a page of `devUrl`'s origin (see rendererDevUrl).
 */
export function isTrustedSender(event: SenderEvent, window: SenderWindow | null, rendererIndex: string, devUrl: string | undefined): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !window || event.sender !== window.webContents) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (devUrl) return url.origin === new URL(devUrl).origin;
  if (url.protocol !== 'file:' || url.host !== '') return false;
  try {
    return resolve(fileURLToPath(url)) === resolve(rendererIndex);
  } catch {
    return false;
  }
}
