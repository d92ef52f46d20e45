#!/usr/bin/env node
// `npm start [-- --lab | --seed H:P …]`: build and launch the Electron app. Where Electron
// cannot start (no binary, or Linux without a display) serve the web mode instead, with the
// same arguments.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
process.chdir(root);

/** Why Electron cannot run here, or null when it can. */
function whyNoElectron() {
  let binary;
  try {
    // The electron package exports the path of its binary, and throws when it was never downloaded.
    binary = createRequire(import.meta.url)('electron');
  } catch {
    return { reason: 'the Electron binary is not installed' };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  return { binary };
}

/** Run a build step; on failure show the bundler's message, not our stack. */
async function step(what, run) {
  try {
    await run();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(`Replication Console: ${what} failed.`);
    process.exit(1);
  }
}

const electron = whyNoElectron();

if (electron.binary) {
  const { build } = await import('electron-vite');
  await step('the Electron build', () => build({ configFile: resolve(root, 'electron.vite.config.ts'), logLevel: 'warn' }));
  const child = spawn(electron.binary, ['.', ...args], { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  console.log(`Electron cannot start here: ${electron.reason}; serving the web mode instead.`);
  const { build } = await import('vite');
  await step('the renderer build', () => build({ configFile: resolve(root, 'vite.renderer.config.ts'), logLevel: 'warn' }));
  const { register } = await import('tsx/esm/api');
  register();
  process.argv = [process.argv[0] ?? 'node', resolve(root, 'electron/web/cli.ts'), ...args];
  await import(pathToFileURL(resolve(root, 'electron/web/cli.ts')).href);
}
