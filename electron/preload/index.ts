// The sandboxed preload: exposes the bridge as named functions, never ipcRenderer. Every call
// and every push carries its topology (tab) id; `topology(id)` returns that topology's API
// (contextBridge proxies the functions of a returned object too). Calls resolve with envelopes;
// renderer/src/api turns them into values and typed errors.
// Sandboxed preloads can only require 'electron': the shared binder is bundled in at build time.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EnvelopeBridge } from '../shared/api';
import type { BridgeChannel, Envelope, PushChannel } from '../shared/channels';
import { bindEnvelopeBridge } from '../shared/bind-api';

/**
 * One call: the main process always answers with an envelope. It is handed to the page as it is,
 * because contextBridge keeps only an Error's message: a thrown code or details would be lost.
 */
async function call(topology: string, channel: BridgeChannel, args: unknown[]): Promise<Envelope<unknown>> {
  try {
    return (await ipcRenderer.invoke(channel, topology, ...args)) as Envelope<unknown>;
  } catch (error) {
    // Only when IPC itself failed (no handler: the main process is shutting down).
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'INTERNAL', message: `The console's main process did not answer ${channel}: ${message.split('\n')[0] ?? ''}` } };
  }
}

type Relay = (topology: unknown, data: unknown) => void;
// One ipcRenderer listener per channel, routing by topology: one per tab would pass the
// EventEmitter's listener limit at the eleventh tab.
const relays = new Map<PushChannel, Set<Relay>>();

/** Relay one pushed channel's messages about one topology to a listener; returns the disposer. */
function subscribe(topology: string, channel: PushChannel, listener: (data: never) => void): () => void {
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
    if (from === topology) listener(data as never);
  };
  set.add(relay);
  return () => {
    set.delete(relay);
  };
}

const bridge: EnvelopeBridge = bindEnvelopeBridge(call, subscribe);

contextBridge.exposeInMainWorld('replicationConsole', bridge);
