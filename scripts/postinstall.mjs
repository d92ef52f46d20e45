// npm install's last step: fetch Electron's binary, but only when that can be quick. Skipped
// silently with ELECTRON_SKIP_BINARY_DOWNLOAD or CI set, or when the binary is there; when the
// download host does not answer within 3 s (air-gapped hosts), one line says so and npm install
// goes on. It never fails the install: without the binary `npm start` serves the web mode.
import { readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { electronBinary, electronVersion, getElectron } from './get-electron.mjs';

const PROBE_MS = 3000;
// A download that started but crawls should not hold npm install for ever: get-electron can finish it.
const DOWNLOAD_MS = 5 * 60_000;
const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

/** The host the download goes to first: the proxy if one is set, else the (mirror's) download host. */
function downloadHost() {
  const proxy = process.env.npm_config_https_proxy || process.env.HTTPS_PROXY || process.env.https_proxy || process.env.npm_config_proxy;
  const url = new URL(proxy || process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror || DEFAULT_MIRROR);
  return { host: url.hostname, port: Number(url.port) || (url.protocol === 'http:' ? 80 : 443) };
}

function reachable({ host, port }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** @electron/get keeps downloads in a cache (one folder per URL hash): a cached zip needs no network. */
function cached(version) {
  const root = process.env.electron_config_cache || path.join(os.homedir(), '.cache', 'electron');
  const zip = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  try {
    return readdirSync(root, { withFileTypes: true }).some(
      (entry) => entry.isDirectory() && readdirSync(path.join(root, entry.name)).includes(zip),
    );
  } catch {
    return false;
  }
}

try {
  const version = electronVersion();
  const skip = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || process.env.CI;
  if (version && !skip && !electronBinary()) {
    const target = downloadHost();
    if (cached(version) || (await reachable(target))) {
      const { line } = await getElectron({ timeoutMs: DOWNLOAD_MS });
      console.log(`Replication Console: ${line}`);
    } else {
      console.log(`Replication Console: Electron's binary was not downloaded (${target.host} cannot be reached): npm start serves the web mode; npm run get-electron fetches the desktop app later.`);
    }
  }
} catch (error) {
  console.log(`Replication Console: Electron's binary was not downloaded (${error instanceof Error ? error.message : String(error)}): npm start serves the web mode.`);
}
