// The sandboxed preload: exposes the bridge as named functions, never ipcRenderer. Every call
// and every push carries its topology (tab) id; `topology(id)` returns that topology's API
// (contextBridge proxies the functions of a returned object too).
// Sandboxed preloads can only require 'electron': the shared binder is bundled in at build time.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiPushes, BridgeChannel, BridgeMethods, Envelope, PushChannel, ReplicationConsoleBridge } from '../shared/api';
import { bindBridge } from '../shared/bind-api';

async function call<C extends BridgeChannel>(
  topology: string,
  channel: C,
  ...args: Parameters<BridgeMethods[C]>
): Promise<ReturnType<BridgeMethods[C]>> {
  // An omitted optional argument is left out rather than sent as undefined.
  const envelope = (await ipcRenderer.invoke(channel, topology, ...args.filter((arg) => arg !== undefined))) as Envelope<
    ReturnType<BridgeMethods[C]>
  >;
  if (envelope.ok) return envelope.value;
  // contextBridge keeps only an Error's message on its way to the page, so the code rides in
  // front of it; renderer/src/api turns it back into ApiCallError.code.
  const { code, message } = envelope.error;
  throw Object.assign(new Error(`[${code}] ${message}`), { code });
}

type Relay = (topology: unknown, data: unknown) => void;
// One ipcRenderer listener per channel, routing by topology: one per tab would pass the
// EventEmitter's listener limit at the eleventh tab.
const relays = new Map<PushChannel, Set<Relay>>();

/** Relay one pushed channel's messages about one topology to a listener; returns the disposer. */
function subscribe<P extends PushChannel>(topology: string, channel: P, listener: (data: ApiPushes[P]) => void): () => void {
  let set = relays.get(channel);
  if (!set) {
    const created = new Set<Relay>();
    relays.set(channel, created);
    ipcRenderer.on(channel, (_event: IpcRendererEvent, from: unknown, data: unknown) => {
      for (const relay of [...created]) {
        try {
          relay(from, data);
        } catch (error) {
          // One tab's failing listener must not starve the others.
          console.error(`${channel} listener failed`, error);
        }
      }
    });
    set = created;
  }
  const relay: Relay = (from, data) => {
    if (from === topology) listener(data as ApiPushes[P]);
  };
  set.add(relay);
  return () => {
    set.delete(relay);
  };
}

const bridge: ReplicationConsoleBridge = bindBridge(call, subscribe);

contextBridge.exposeInMainWorld('replicationConsole', bridge);
