// --timeout reaches the engine of every tab the web mode and the app open (ConsoleService's
// timeoutMs): a seed that accepts and never answers fails within it, saying so.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';

const sockets = new Set<Socket>();
const silent = createServer((socket) => sockets.add(socket));

afterEach(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

it('a ConsoleService given timeoutMs gives up on a silent seed within it', async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const service = new ConsoleService({ timeoutMs: 300 });
  try {
    const started = Date.now();
    const envelope = await service.invoke('topology:connect', [{ seeds: [`127.0.0.1:${port}`] }]);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(envelope.ok ? '' : envelope.error.message).toMatch(/within 300 ms/);
    // The engine's default is 2000 ms per attempt.
    expect(Date.now() - started).toBeLessThan(1500);
  } finally {
    await service.close();
  }
});
