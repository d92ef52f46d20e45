// A TCP port forward on loopback, as ssh -L or a NAT rule gives one: a second address for a
// server, which the test closes to make that address stop answering while the server runs on.
import net from 'node:net';

export interface PortForward {
  /** "127.0.0.1:PORT" of the forward's own end. */
  address: string;
  /** Stop listening and cut every connection through it: its port refuses from then on. */
  close(): Promise<void>;
  /**
   * Stop listening, keeping the connections through it: a replica's link made through it stays
   * up while the console can no longer dial its address, as behind NAT (the --map case).
   */
  refuseNew(): void;
}

/** Forward a free loopback port to 127.0.0.1:`port`. */
export async function forwardTo(port: number): Promise<PortForward> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    const end = (): void => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    sockets.add(inbound).add(outbound);
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    address: `127.0.0.1:${own}`,
    refuseNew: () => {
      if (server.listening) server.close();
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}
