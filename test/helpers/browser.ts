// Real Chromium for the e2e tests and the renderer benchmark: Debian's binary (never a
// downloaded one), with the flags this closed network needs, and the production renderer build.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine refuses; --no-sandbox because tests run as root.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface BuiltRenderer {
  /** The built renderer, ready for startWebServer({ rendererDir }). */
  dir: string;
  remove(): Promise<void>;
}

/** Build the production renderer (what the web mode and Electron load) into a fresh temp dir. */
export async function buildRendererTo(prefix: string): Promise<BuiltRenderer> {
  const workDir = await mkdtemp(join(tmpdir(), prefix));
  const dir = join(workDir, 'renderer');
  await build({
    configFile: join(ROOT, 'vite.renderer.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rm(workDir, { recursive: true, force: true }) };
}
