// The sandboxed preload: exposes ReplicationConsoleApi as named functions, never ipcRenderer.
// Sandboxed preloads can only require 'electron': the shared binder is bundled in at build time.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiChannel, ApiMethods, ApiPushes, Envelope, PushChannel, ReplicationConsoleApi } from '../shared/api';
import { bindApi } from '../shared/bind-api';

async function call<C extends ApiChannel>(channel: C, ...args: Parameters<ApiMethods[C]>): Promise<ReturnType<ApiMethods[C]>> {
  // An omitted optional argument is left out rather than sent as undefined.
  const envelope = (await ipcRenderer.invoke(channel, ...args.filter((arg) => arg !== undefined))) as Envelope<
    ReturnType<ApiMethods[C]>
  >;
  if (envelope.ok) return envelope.value;
  // contextBridge keeps only an Error's message on its way to the page, so the code rides in
  // front of it; renderer/src/api turns it back into ApiCallError.code.
  const { code, message } = envelope.error;
  throw Object.assign(new Error(`[${code}] ${message}`), { code });
}

/** Relay one pushed channel to a listener; returns the disposer. */
function subscribe<P extends PushChannel>(channel: P, listener: (data: ApiPushes[P]) => void): () => void {
  const relay = (_event: IpcRendererEvent, data: ApiPushes[P]): void => listener(data);
  ipcRenderer.on(channel, relay);
  return () => {
    ipcRenderer.removeListener(channel, relay);
  };
}

const api: ReplicationConsoleApi = bindApi(call, subscribe);

contextBridge.exposeInMainWorld('replicationConsole', api);
