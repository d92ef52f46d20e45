// The renderer's only door to the main process: getApi() returns the preload's API inside
// Electron, or a WebSocket client in the web mode. Every failure is an ApiCallError.
import type { ReplicationConsoleApi } from '../../../electron/shared/api';
import { ApiCallError, fromBridgeError } from './errors';
import { createWebSocketApi, webSocketUrlFor } from './ws-client';

export { ApiCallError };

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web mode. */
    replicationConsole?: ReplicationConsoleApi;
  }
}

let api: ReplicationConsoleApi | null = null;

export function getApi(): ReplicationConsoleApi {
  api ??= window.replicationConsole
    ? withBridgeErrors(window.replicationConsole)
    : createWebSocketApi(webSocketUrlFor(window.location));
  return api;
}

/** Rethrow the preload's errors as ApiCallError (contextBridge drops everything but the message). */
function withBridgeErrors(bridge: ReplicationConsoleApi): ReplicationConsoleApi {
  const guard = <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await method(...args);
      } catch (error) {
        throw fromBridgeError(error);
      }
    };
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
