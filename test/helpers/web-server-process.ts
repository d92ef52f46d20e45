// The web mode's server in a process of its own, serving a given renderer build, for e2e tests
// that stop or kill the server's process (SIGSTOP, SIGKILL) while a page is open. Prints the URL
// on one line, as the web mode does; the caller gives it a data directory (REPLICATION_CONSOLE_DATA_DIR). Run: node bin/run-ts.js test/helpers/web-server-process.ts RENDERER_DIR SEED
import { ConsoleService } from '../../electron/app/service';
import { ReplicationEngine } from '../../electron/engine/engine';
import { startWebServer } from '../../electron/web/server';

const [rendererDir, seed] = process.argv.slice(2);
if (!rendererDir || !seed) throw new Error('usage: web-server-process.ts RENDERER_DIR SEED');
const service = new ConsoleService({ engine: new ReplicationEngine(), interface: 'web' });
await service.connect({ seeds: [seed], pollIntervalMs: 1000 });
const server = await startWebServer({ service, rendererDir });
console.log(`Replication Console (web mode): ${server.url}`);
process.on('SIGTERM', () => {
  void server.close().then(() => service.close()).then(() => process.exit(0));
});
