// `npm run get-electron`: downloads Electron's binary with electron's own installer (the package's
// postinstall, which `allowScripts` keeps out of npm install so an offline install cannot fail on
// it), then says in one line whether it worked. scripts/postinstall.mjs tries it when it can be quick.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));

/** The installed binary's path, or null (the electron package throws when it was never downloaded). */
export function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

export function electronVersion() {
  try {
    return require('electron/package.json').version;
  } catch {
    return null;
  }
}

/**
 * Runs node_modules/electron/install.js; resolves with { ok, line }, line being what to tell the user.
 * timeoutMs: give up (and stop the installer) after that long.
 */
export function getElectron({ timeoutMs } = {}) {
  const version = electronVersion();
  if (!version) return Promise.resolve({ ok: false, line: 'the electron package is not installed (run npm install first)' });
  if (electronBinary()) return Promise.resolve({ ok: true, line: `Electron ${version} is installed: npm start opens the desktop app.` });
  const env = { ...process.env };
  // Asked for by name: a skip meant for npm install does not apply here.
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve('electron/install.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-8000)));
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGTERM')), timeoutMs) : null;
    const failed = (why) => resolve({ ok: false, line: `Electron's binary was not downloaded (${why}): npm start serves the web mode; npm run get-electron tries again.` });
    child.on('error', (error) => failed(error.message));
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      if (timedOut) return failed(`no download within ${Math.round(timeoutMs / 1000)} s`);
      if (code === 0 && electronBinary()) return resolve({ ok: true, line: `Electron ${version} downloaded: npm start opens the desktop app.` });
      // The installer prints the error's stack: its first line is the reason.
      const reason = stderr.split('\n').map((line) => line.trim()).find((line) => line && !line.startsWith('at ')) ?? `the installer exited with code ${code}`;
      failed(reason.replace(/^(Request)?Error: /, ''));
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { ok, line } = await getElectron();
  if (ok) console.log(`Replication Console: ${line}`);
  else console.error(`Replication Console: ${line}`);
  process.exitCode = ok ? 0 : 1;
}
