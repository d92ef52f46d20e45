// The one table of which API method goes to which channel, shared by every transport: the
// Electron preload (IPC) and the web mode's WebSocket client differ only in how they carry a call.
import type {
  ApiChannel,
  ApiMethods,
  ApiPushes,
  BridgeChannel,
  BridgeMethods,
  PushChannel,
  ReplicationConsoleApi,
  ReplicationConsoleBridge,
} from './api';
import { MAIN_TOPOLOGY } from './api';

/** Send one call on a channel and resolve with its value (or throw the error it carried). */
export type ApiCall = <C extends ApiChannel>(channel: C, ...args: Parameters<ApiMethods[C]>) => Promise<ReturnType<ApiMethods[C]>>;
/** Listen to one pushed channel; returns the disposer. */
export type ApiSubscribe = <P extends PushChannel>(channel: P, listener: (data: ApiPushes[P]) => void) => () => void;

/** Build the named-function API over a transport's call and subscribe. */
export function bindApi(call: ApiCall, subscribe: ApiSubscribe): ReplicationConsoleApi {
  return {
    connect: (options) => call('topology:connect', options),
    disconnect: async () => {
      await call('topology:disconnect');
    },
    getTopology: () => call('topology:get'),
    forgetNode: (address) => call('topology:forget', address),
    getHistory: (query) => call('history:get', query),
    listEvents: (query) => call('events:list', query),
    startLab: () => call('lab:start'),
    stopLab: () => call('lab:stop'),
    labStatus: () => call('lab:status'),
    interruptedPlans: () => call('journal:interrupted'),
    dismissInterruptedPlan: (planId) => call('journal:dismiss', planId),
    planAction: (request) => call('action:plan', request),
    executeAction: (request) => call('action:execute', request),
    abortAction: (planId) => call('action:abort', planId),
    moveCandidates: (node) => call('action:candidates', node),
    listAudit: (limit, scope) => (scope === undefined ? call('audit:list', limit) : call('audit:list', limit ?? 200, scope)),
    listProfiles: () => call('profile:list'),
    saveProfile: (profile) => call('profile:save', profile),
    deleteProfile: (id) => call('profile:delete', id),
    exportProfiles: (ids) => (ids === undefined ? call('profile:export') : call('profile:export', ids)),
    importProfiles: (text) => call('profile:import', text),
    setSecretStorage: (storage) => call('profile:secret-storage', storage),
    onTick: (listener) => subscribe('topology:tick', listener),
    onActionProgress: (listener) => subscribe('action:progress', listener),
  };
}

/** Send one call on a channel for one topology (the bridge's own form of ApiCall). */
export type TopologyCall = <C extends BridgeChannel>(
  topology: string,
  channel: C,
  ...args: Parameters<BridgeMethods[C]>
) => Promise<ReturnType<BridgeMethods[C]>>;
/** Listen to one pushed channel's messages about one topology; returns the disposer. */
export type TopologySubscribe = <P extends PushChannel>(topology: string, channel: P, listener: (data: ApiPushes[P]) => void) => () => void;

/** Build the bridge over a transport that carries a topology id with every call and push. */
export function bindBridge(call: TopologyCall, subscribe: TopologySubscribe): ReplicationConsoleBridge {
  return {
    topology: (id) =>
      bindApi(
        (channel, ...args) => call(id, channel, ...args),
        (channel, listener) => subscribe(id, channel, listener),
      ),
    closeTopology: async (id) => {
      await call(id, 'topology:close');
    },
    // Any valid id will do: the list is the app's, not a topology's.
    openTopologies: () => call(MAIN_TOPOLOGY, 'topology:list'),
  };
}
