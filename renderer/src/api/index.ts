// The renderer's only door to the main process: getBridge() returns the preload's bridge inside
// Electron, or a WebSocket client in the web mode; bridge.topology(id) is one tab's API. Every
// failure is an ApiCallError.
import type { ReplicationConsoleApi, ReplicationConsoleBridge } from '../../../electron/shared/api';
import { ApiCallError, fromBridgeError } from './errors';
import { createWebSocketBridge, webSocketUrlFor } from './ws-client';

export { ApiCallError };

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web mode. */
    replicationConsole?: ReplicationConsoleBridge;
  }
}

let bridge: ReplicationConsoleBridge | null = null;

export function getBridge(): ReplicationConsoleBridge {
  bridge ??= window.replicationConsole
    ? withErrorsOnEveryTopology(window.replicationConsole)
    : createWebSocketBridge(webSocketUrlFor(window.location));
  return bridge;
}

/** The preload's bridge, every call of every topology rethrowing ApiCallError. */
function withErrorsOnEveryTopology(preload: ReplicationConsoleBridge): ReplicationConsoleBridge {
  return {
    topology: (id) => withBridgeErrors(preload.topology(id)),
    closeTopology: guard((id: string) => preload.closeTopology(id)),
    openTopologies: guard(() => preload.openTopologies()),
  };
}

function guard<A extends unknown[], R>(method: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await method(...args);
    } catch (error) {
      throw fromBridgeError(error);
    }
  };
}

/** Rethrow the preload's errors as ApiCallError (contextBridge drops everything but the message). */
function withBridgeErrors(bridge: ReplicationConsoleApi): ReplicationConsoleApi {
  return {
    connect: guard(bridge.connect),
    disconnect: guard(bridge.disconnect),
    getTopology: guard(bridge.getTopology),
    forgetNode: guard(bridge.forgetNode),
    getHistory: guard(bridge.getHistory),
    listEvents: guard(bridge.listEvents),
    startLab: guard(bridge.startLab),
    stopLab: guard(bridge.stopLab),
    labStatus: guard(bridge.labStatus),
    interruptedPlans: guard(bridge.interruptedPlans),
    dismissInterruptedPlan: guard(bridge.dismissInterruptedPlan),
    planAction: guard(bridge.planAction),
    executeAction: guard(bridge.executeAction),
    abortAction: guard(bridge.abortAction),
    moveCandidates: guard(bridge.moveCandidates),
    listAudit: guard(bridge.listAudit),
    listProfiles: guard(bridge.listProfiles),
    saveProfile: guard(bridge.saveProfile),
    deleteProfile: guard(bridge.deleteProfile),
    exportProfiles: guard(bridge.exportProfiles),
    importProfiles: guard(bridge.importProfiles),
    setSecretStorage: guard(bridge.setSecretStorage),
    onTick: (listener) => bridge.onTick(listener),
    onActionProgress: (listener) => bridge.onActionProgress(listener),
  };
}
