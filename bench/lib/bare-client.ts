import Redis from 'ioredis';

/**
 * A plain ioredis client with roughly the engine's options (electron/engine/client-registry.ts),
 * minus its AUTH/CLIENT SETNAME handshake: the baseline the engine is compared with.
 */
export function bareClient(address: string): Redis {
  const colon = address.lastIndexOf(':');
  return new Redis({
    host: address.slice(0, colon),
    port: Number(address.slice(colon + 1)),
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 1500,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}
