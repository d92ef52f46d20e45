// What listens on a port given as the SSH bastion, once the SSH handshake never started: ssh2
// says only "Connection lost before handshake". One plain connection reads what the server says
// first (an SSH server speaks first: its version line), or, if it waits for the client, what it
// answers to an SSH client's version line (an HTTP server: "HTTP/1.1 400 Bad Request").
import { connect } from 'node:net';

/** What the port said: an SSH server after all, another service (its first line), nothing, or nothing can be told (no connection, or silent and open). */
export type PortAnswer = { kind: 'ssh' } | { kind: 'other'; sent: string } | { kind: 'silent' } | { kind: 'unknown' };

/** An SSH client's version line (RFC 4253 §4.2): what ssh2 sent, so the server answers it as it answered ssh2. */
const CLIENT_VERSION = 'SSH-2.0-ReplicationConsole_probe\r\n';
/** Longest first line quoted back. */
const MAX_QUOTED = 60;

/** Connect to host:port and tell what answers there, within `timeoutMs`. Sends nothing but a version line. */
export function answerOnPort(host: string, port: number, timeoutMs: number): Promise<PortAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let connected = false;
    let received = Buffer.alloc(0);
    let speak: NodeJS.Timeout | undefined;
    const finish = (closed: boolean): void => {
      clearTimeout(deadline);
      clearTimeout(speak);
      socket.destroy();
      // Still open and silent at the deadline: nothing can be said of it.
      resolve(!connected || (!closed && received.length === 0) ? { kind: 'unknown' } : classify(received));
    };
    const deadline = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      // A server that waits for the client (HTTP, Redis) is sent what ssh2 sent first.
      speak = setTimeout(() => socket.write(CLIENT_VERSION), Math.min(300, timeoutMs / 4));
    });
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]).subarray(0, 1024);
      if (received.includes(0x0a) || received.length >= 1024) finish(false);
    });
    socket.once('close', () => finish(true));
    socket.on('error', () => undefined);
  });
}

function classify(received: Buffer): PortAnswer {
  if (received.length === 0) return { kind: 'silent' };
  const line = received.toString('latin1').split(/\r?\n/)[0] ?? '';
  if (line.startsWith('SSH-')) return { kind: 'ssh' };
  const printable = [...line].filter((c) => c >= ' ' && c <= '~').length;
  if (line.length === 0 || printable < line.length * 0.9) return { kind: 'other', sent: `${received.length} bytes that are not text` };
  const text = line.replace(/[^ -~]/g, '?').trim();
  return { kind: 'other', sent: `"${text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text}"` };
}
