#!/usr/bin/env node
// `npm start [-- --lab | --seed H:P …]`: build and launch the Electron app. Where Electron cannot
// start (no binary, or Linux without a display), or with --web (`npm run web`), serve the web mode
// instead, with the same arguments: vite builds the renderer in a child process when its sources
// changed, then this process runs the web server's bundle (out/web/cli.js), holding no bundler.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';
import { bundle, ensureRenderer, ROOT } from './bundle.js';

const require = createRequire(import.meta.url);
const web = process.argv.includes('--web');
const args = process.argv.slice(2).filter((arg) => arg !== '--web');
process.chdir(ROOT);

/** Why Electron cannot run here, or null when it can. */
function whyNoElectron() {
  let binary;
  try {
    // The electron package exports the path of its binary, and throws when it was never downloaded.
    binary = require('electron');
  } catch {
    return { reason: "Electron's binary is not installed", fix: 'for the desktop app: npm run get-electron, then npm start' };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  return { binary };
}

async function electronApp(binary) {
  const { build } = await import('electron-vite');
  try {
    await build({ configFile: path.join(ROOT, 'electron.vite.config.ts'), logLevel: 'warn' });
  } catch (error) {
    // The bundler's message, not our stack.
    console.error(error instanceof Error ? error.message : String(error));
    console.error('Replication Console: the Electron build failed.');
    process.exit(1);
  }
  const child = spawn(binary, ['.', ...args], { stdio: 'inherit', cwd: ROOT });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  // Killed by a signal: the shell's 128 + its number (SIGHUP 129, SIGINT 130, SIGTERM 143).
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 0)));
}

async function webMode() {
  ensureRenderer();
  const server = bundle('web');
  // The server reads its options from process.argv, as when run on its own.
  process.argv = [process.argv[0] ?? 'node', path.join(ROOT, 'out/web/cli.js'), ...args];
  await import(server);
}

const electron = web ? { reason: null } : whyNoElectron();
if (electron.binary) {
  await electronApp(electron.binary);
} else {
  if (electron.reason) {
    console.error(`Replication Console: ${electron.reason}: serving the web mode instead${electron.fix ? ` (${electron.fix})` : ''}.`);
  }
  await webMode();
}
