// The typed API over a hub in this very process: the CLI's transport. The same binder as the
// preload's and the WebSocket client's (bind-api.ts), with a direct call instead of a message, so
// the CLI calls what the renderer calls and gets the same envelopes, rebuilt into ApiCallErrors.
import type { ReplicationConsoleApi } from '../shared/api';
import { MAIN_TOPOLOGY } from '../shared/api';
import { bindEnvelopeApi, unwrapApi, type TopologySubscribe } from '../shared/bind-api';
import type { ConsoleHub } from './console-hub';

/** One topology's API on `hub`, called in process: values, and ApiCallErrors for the failed calls. */
export function localApi(hub: ConsoleHub, topology: string = MAIN_TOPOLOGY): ReplicationConsoleApi {
  const subscribe: TopologySubscribe = (id, channel, listener) => {
    const deliver = listener as (data: unknown) => void;
    switch (channel) {
      case 'topology:tick':
        return hub.onTick((from, update) => from === id && deliver(update));
      case 'action:progress':
        return hub.onActionProgress((from, progress) => from === id && deliver(progress));
    }
  };
  return unwrapApi(bindEnvelopeApi(topology, (id, channel, args) => hub.invoke(id, channel, args), subscribe));
}
