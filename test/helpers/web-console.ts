// For an e2e file: a lab of real servers and the web console over it (a fresh engine, an audit
// directory of its own), started before its tests and closed after, newest first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { ReplicationEngine, type EngineOptions } from '../../electron/engine/engine';
import { Lab, type LabOptions } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import type { E2eSetup } from './browser';

export interface LabWebConsole {
  readonly lab: Lab;
  readonly server: WebServer;
}

export function useLabWebConsole(e2e: E2eSetup, prefix: string, labOptions: LabOptions, engineOptions: EngineOptions = {}): LabWebConsole {
  let lab: Lab | undefined;
  let server: WebServer | undefined;
  let service: ConsoleService | undefined;
  let auditDir: string | undefined;
  beforeAll(async () => {
    lab = await Lab.start(labOptions);
    auditDir = await mkdtemp(join(tmpdir(), `${prefix}audit-`));
    service = new ConsoleService({ engine: new ReplicationEngine(engineOptions), interface: 'web', auditDir });
    server = await startWebServer({ service, rendererDir: e2e.rendererDir });
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
    await lab?.close();
    if (auditDir) await rm(auditDir, { recursive: true, force: true });
  });
  return {
    get lab(): Lab {
      if (!lab) throw new Error('the lab is not running (beforeAll failed?)');
      return lab;
    },
    get server(): WebServer {
      if (!server) throw new Error('the web console is not running (beforeAll failed?)');
      return server;
    },
  };
}
