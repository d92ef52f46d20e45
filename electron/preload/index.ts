// The sandboxed preload: exposes ReplicationConsoleApi as named functions, never ipcRenderer.
// Sandboxed preloads can only require 'electron'; everything else here is types.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiChannel, ApiMethods, Envelope, ReplicationConsoleApi } from '../shared/api';
import type { TickUpdate } from '../shared/types';

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

const api: ReplicationConsoleApi = {
  connect: (options) => call('topology:connect', options),
  disconnect: async () => {
    await call('topology:disconnect');
  },
  getTopology: () => call('topology:get'),
  getHistory: (query) => call('history:get', query),
  listEvents: (query) => call('events:list', query),
  startLab: () => call('lab:start'),
  stopLab: () => call('lab:stop'),
  labStatus: () => call('lab:status'),
  onTick(listener) {
    const relay = (_event: IpcRendererEvent, update: TickUpdate): void => listener(update);
    ipcRenderer.on('topology:tick', relay);
    return () => {
      ipcRenderer.removeListener('topology:tick', relay);
    };
  },
};

contextBridge.exposeInMainWorld('replicationConsole', api);
