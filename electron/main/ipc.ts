// The main process's side of the bridge: one handler per channel, each checking who calls before
// anything is forwarded, and the pushes sent to the console window only. Every call carries a
// topology id first (invoke(channel, topologyId, ...args)), every push too (send(channel,
// topologyId, data)); the hub checks the id like any other argument.
import type { IpcMainInvokeEvent } from 'electron';
import type { ApiPushes, Envelope, PushChannel } from '../shared/channels';
import { BRIDGE_CHANNELS } from '../shared/channels';
import { carryCall, TickEncoder, TickReceiver } from '../shared/tick-wire';
import type { ConsoleHub } from '../app/console-hub';

/** The part of ipcMain this needs (a stand-in in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Envelope<unknown>>): void;
  removeHandler(channel: string): void;
}

/** The part of a window's webContents the pushes need. */
export interface PushTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * Register a handler per channel and forward the hub's pushes to `target()`. Returns a disposer
 * that removes both.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  hub: ConsoleHub,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
  target: () => PushTarget | null,
): () => void {
  // Ticks go as differences from the one before (tick-wire.ts), as in the web mode: the page
  // takes in what changed, not a whole 100-node snapshot every second.
  const ticks = new TickEncoder();
  let receiver = new TickReceiver();
  let receiverOf: PushTarget | null = null;
  for (const channel of BRIDGE_CHANNELS) {
    ipcMain.handle(channel, async (event, topology, ...rawArgs): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: `${channel}: refused, the call did not come from the console page`, details: { nothingSent: true } } };
      }
      return carryCall(channel, typeof topology === 'string' ? topology : null, ticks, receiver, () => hub.invoke(topology, channel, rawArgs));
    });
  }
  const push = <P extends PushChannel>(channel: P, topology: string, data: ApiPushes[P]): void => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(channel, topology, data);
  };
  const stopTicks = hub.onTick((topology, update) => {
    const contents = target();
    if (!contents || contents.isDestroyed()) return;
    const tick = ticks.encode(topology, update);
    // Another window (the first closed, a new one opened) holds nothing yet.
    if (contents !== receiverOf) {
      receiver = new TickReceiver();
      receiverOf = contents;
    }
    push('topology:tick', topology, receiver.take(tick));
  });
  const stopProgress = hub.onActionProgress((topology, progress) => push('action:progress', topology, progress));
  return () => {
    stopTicks();
    stopProgress();
    for (const channel of BRIDGE_CHANNELS) ipcMain.removeHandler(channel);
  };
}
