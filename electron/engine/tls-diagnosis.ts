// TLS on one side only fails without a word: a TLS port closes the connection on a plain client,
// and a plain Redis port answers a TLS ClientHello with nothing (or with an error that reads as
// "wrong version number", depending on the bytes). One short probe of the other kind tells the
// user which side to change, instead of "connection closed" or a timeout.
import net from 'node:net';
import tls from 'node:tls';

/** True when a plain Redis answers PING at host:port within `ms` (+PONG, or an error such as -NOAUTH). */
export async function speaksPlainRedis(host: string, port: number, ms: number): Promise<boolean> {
  const line = await firstLine(net.connect({ host, port }), 'connect', ms, 0);
  return line !== null && /^[+-]/.test(line);
}

/** True when host:port completes a TLS handshake within `ms` (no certificate check: only "is it TLS?"). */
export function speaksTls(host: string, port: number, ms: number): Promise<boolean> {
  const servername = net.isIP(host) === 0 ? host : undefined;
  const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
  return probe(socket, 'secureConnect', ms, false, (_socket, done) => done(true));
}

/**
 * The error a server sends as it accepts a connection and then closes it (`-ERR max number of
 * clients reached`, `-DENIED … protected mode …`), without the leading '-'; null for anything
 * else within `ms`. A PING goes out a moment later so that a server with nothing to say answers
 * (+PONG, or -NOAUTH: not what is asked here) well before `ms`; a refusal comes before any reply.
 */
export async function errorOnAccept(host: string, port: number, tlsOptions: tls.ConnectionOptions | null, ms: number): Promise<string | null> {
  const socket = tlsOptions ? tls.connect({ ...tlsOptions, host, port }) : net.connect({ host, port });
  // The PING not at once: one that reaches a server already closing is answered by a reset,
  // which may throw away its refusal before it is read.
  const line = await firstLine(socket, tlsOptions ? 'secureConnect' : 'connect', ms, Math.min(100, ms / 3));
  return line !== null && ACCEPT_REFUSALS.test(line) ? line.slice(1, 301) : null;
}

/** The first line the server sends within `ms` of `ready` (a PING goes out `pingAfterMs` after it), or null. */
function firstLine(socket: net.Socket, ready: string, ms: number, pingAfterMs: number): Promise<string | null> {
  return probe<net.Socket, string | null>(socket, ready, ms, null, (connected, done) => {
    connected.once('data', (chunk: Buffer) => done(chunk.toString('latin1').split('\r\n')[0] ?? ''));
    const ping = setTimeout(() => connected.writable && connected.write('PING\r\n'), pingAfterMs);
    connected.once('close', () => clearTimeout(ping));
  });
}

/** What Redis and Valkey say on accept before closing: out of clients, or protected mode. */
const ACCEPT_REFUSALS = /^-(ERR max number of clients reached|DENIED)/;

function probe<S extends net.Socket, T = boolean>(
  socket: S,
  ready: string,
  ms: number,
  failed: T,
  onReady: (socket: S, done: (answer: T) => void) => void,
): Promise<T> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(failed), ms);
    socket.on('error', () => done(failed));
    socket.once('close', () => done(failed));
    socket.once(ready, () => onReady(socket, done));
  });
}

/**
 * A TLS 1.3 server checks the client's certificate after the handshake, so its "certificate
 * required" alert can lose the race with a reset once the client has written. This handshake
 * writes nothing and waits for the alert: the error the server sends, or null within `ms`.
 */
export function tlsAlert(host: string, port: number, options: tls.ConnectionOptions, ms: number): Promise<Error | null> {
  return new Promise((resolve) => {
    const socket = tls.connect({ ...options, host, port });
    let settled = false;
    const done = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => done(null), ms);
    socket.on('error', (error) => done(error));
    socket.once('close', () => done(null));
  });
}
