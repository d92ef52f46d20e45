// For e2e files that drive the web mode in Chromium: clean-ups that run after the file, and a
// console (hub, web server, page) whose parts are closed by them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll } from 'vitest';
import { ConsoleHub, type ConsoleHubOptions } from '../../electron/app/console-hub';
import { ConsoleService } from '../../electron/app/service';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { openPage, type E2eSetup } from './browser';

export type Cleanups = (() => unknown)[];

/**
 * A list the file's tests push clean-ups onto; after the file they run last-pushed first, each
 * one even when an earlier one failed (the first failure is then thrown).
 */
export function useCleanups(): Cleanups {
  const cleanups: Cleanups = [];
  afterAll(async () => {
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  });
  return cleanups;
}

export interface WebConsole {
  hub: ConsoleHub;
  server: WebServer;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of the page (see openPage). */
  problems: string[];
}

/** A hub with `service` options, the web mode over it, and a page on it; each closed by `cleanups`. */
export async function openWebConsole(
  e2e: E2eSetup,
  cleanups: Cleanups,
  service: ConsoleHubOptions['service'] = { interface: 'web' },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WebConsole> {
  const hub = new ConsoleHub({ service });
  cleanups.push(() => hub.closeAll());
  const server = await startWebServer({ hub, rendererDir: e2e.rendererDir });
  cleanups.push(() => server.close());
  const { context, page, problems } = await openPage(e2e.browser, server.url, colorScheme);
  cleanups.push(() => context.close());
  return { hub, server, context, page, problems };
}

export interface ServiceConsole {
  service: ConsoleService;
  server: WebServer;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of the page (see openPage). */
  problems: string[];
}

/**
 * One topology's console service connected to `seed` at 1 s polls, the web mode over it, and a
 * page on it; each closed by `cleanups`. Its audit directory (where the desktop and web front
 * ends keep topology memory too) is one of its own, or `dataDir`, which the caller made and
 * removes (a test that reads the memory file, or one an earlier engine wrote).
 */
export async function openServiceConsole(
  e2e: E2eSetup,
  cleanups: Cleanups,
  seed: string,
  colorScheme: 'light' | 'dark' = 'light',
  dataDir?: string,
): Promise<ServiceConsole> {
  const auditDir = dataDir ?? (await mkdtemp(join(tmpdir(), 'rc-e2e-audit-')));
  if (dataDir === undefined) cleanups.push(() => rm(auditDir, { recursive: true, force: true }));
  const service = new ConsoleService({ interface: 'web', auditDir });
  cleanups.push(() => service.close());
  await service.connect({ seeds: [seed], pollIntervalMs: 1000 });
  const server = await startWebServer({ rendererDir: e2e.rendererDir, service });
  cleanups.push(() => server.close());
  const { context, page, problems } = await openPage(e2e.browser, server.url, colorScheme);
  cleanups.push(() => context.close());
  return { service, server, context, page, problems };
}
