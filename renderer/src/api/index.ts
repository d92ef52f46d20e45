// The renderer's only door to the main process: getBridge() returns the preload's bridge inside
// Electron, or a WebSocket client in the web mode; bridge.topology(id) is one tab's API. Both
// answer with envelopes, unwrapped here into values and ApiCallErrors (code, message, details).
import type { EnvelopeBridge, ReplicationConsoleBridge } from '../../../electron/shared/api';
import { unwrapBridge } from '../../../electron/shared/bind-api';
import { ApiCallError } from './errors';
import { createWebSocketBridge, webSocketUrlFor } from './ws-client';

export { ApiCallError };

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web mode. */
    replicationConsole?: EnvelopeBridge;
  }
}

/** The parts of the page's window read here: typed without the DOM library, so main-process tests can load this file. */
interface Page {
  replicationConsole?: EnvelopeBridge;
  location: { protocol: string; host: string; search: string };
}

let bridge: ReplicationConsoleBridge | null = null;

export function getBridge(): ReplicationConsoleBridge {
  const page = (globalThis as unknown as { window: Page }).window;
  bridge ??= page.replicationConsole ? unwrapBridge(page.replicationConsole) : createWebSocketBridge(webSocketUrlFor(page.location));
  return bridge;
}
