#!/usr/bin/env node
// `npm run dist [-- electron-builder options]`: the icons, `electron-vite build`, then
// electron-builder for this platform (electron-builder.yml): AppImage and deb on Linux, a dmg on
// macOS, an NSIS installer on Windows, all under dist/. Needs Electron's binary, so on a machine
// without it this says so in one line before building anything.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`Replication Console: ${message}`);
  process.exit(1);
}

/** The Electron binary's path, or null when it was never downloaded. */
function electronBinary() {
  try {
    // The electron package exports its binary's path, and throws when the download never ran.
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Run a package's own command (its package.json `bin`) with this Node; stop at the first failure. */
function run(pkg, args) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const script = join(dirname(manifest), require(manifest).bin[pkg]);
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
  if (result.error) fail(`${pkg} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${pkg} failed (exit ${result.status ?? result.signal}); its output is above.`);
}

if (!electronBinary()) {
  fail("npm run dist needs Electron's binary, which is not installed: run `npm run get-electron` (it downloads Electron for this platform), then `npm run dist` again.");
}

const { writeIcons } = await import('./icons.mjs');
try {
  writeIcons();
} catch (error) {
  fail(`cannot render the icons from assets/icon.svg: ${error instanceof Error ? error.message : String(error)}`);
}
run('electron-vite', ['build']);
const builderArgs = process.argv.slice(2);
// A deb names the project's home page (fpm's --url) and electron-builder refuses one without it.
// Until package.json has a homepage, a plain `npm run dist` on Linux makes the AppImage and says
// why the deb is left out, instead of failing after the AppImage was built.
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (process.platform === 'linux' && !manifest.homepage && !builderArgs.some((arg) => /^--(linux|mac|win|[mwl])$|^-[mwl]/.test(arg))) {
  console.error('Replication Console: the deb is left out: it needs a "homepage" in package.json (electron-builder asks for the project\'s URL); building the AppImage.');
  builderArgs.push('--linux', 'AppImage');
}
// electron-builder fetches the Electron zip for the target through @electron/get, whose cache
// the binary's own download filled: no second download for this platform.
run('electron-builder', builderArgs);
