// The bundles scripts/build-node.mjs makes at install (out/cli, out/web): their path, rebuilt first
// when missing or older than a source they were built from (a developer's edit, or an install with
// --ignore-scripts). The build runs in a child process, so no bundler stays loaded in ours.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const BUNDLES = {
  cli: 'out/cli/entry.js',
  web: 'out/web/cli.js',
};

/** Modification time in ms, or -1 when the file is missing. */
export function modified(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** The error code (EACCES, EROFS, …) when the bundle's directory, or the nearest one that exists, cannot be written; null when it can. */
function unwritable(dir) {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      accessSync(at, constants.W_OK);
      return null;
    } catch (error) {
      if (error?.code !== 'ENOENT' || path.dirname(at) === at) return error?.code ?? 'EACCES';
    }
  }
}

function stale(main) {
  const built = modified(main);
  if (built < 0) return true;
  let sources;
  try {
    sources = JSON.parse(readFileSync(path.join(path.dirname(main), 'sources.json'), 'utf8'));
  } catch {
    return true;
  }
  // A source deleted since is newer news than the bundle too.
  return sources.some((source) => {
    const time = modified(path.join(ROOT, source));
    return time < 0 || time > built;
  });
}

/** The file URL of the bundle `name`, built first if needed; on a failed build, one line on stderr and exit 1. */
export function bundle(name) {
  const main = path.join(ROOT, BUNDLES[name]);
  if (stale(main)) {
    // A checkout the user cannot write to (installed by root, run by another user): a bundle that
    // is older than the sources still works, so run it rather than fail on the rebuild.
    const cannotWrite = unwritable(path.dirname(main));
    if (cannotWrite && modified(main) >= 0) {
      console.error(`Replication Console: the bundle in ${path.dirname(BUNDLES[name])} is older than the sources and cannot be rebuilt here (${cannotWrite}): running it as it is.`);
      return pathToFileURL(main).href;
    }
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-node.mjs'), name, '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0) {
      if (result.error) console.error(`Replication Console: cannot run the Node build: ${result.error.message}`);
      process.exit(1);
    }
  }
  return pathToFileURL(main).href;
}

/** Newest modification time of the files under dir (ms), -1 if none (or no such directory). */
function newest(dir) {
  let time = -1;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return -1;
  }
  for (const entry of entries) {
    if (entry.isFile()) time = Math.max(time, modified(path.join(entry.parentPath ?? entry.path, entry.name)));
  }
  return time;
}

/** The renderer needs building when out/renderer is missing or older than what it is built from. */
function rendererStale() {
  const built = modified(path.join(ROOT, 'out/renderer/index.html'));
  if (built < 0) return true;
  const files = ['vite.renderer.config.ts', 'svelte.config.js', 'package-lock.json'].map((file) => modified(path.join(ROOT, file)));
  return Math.max(newest(path.join(ROOT, 'renderer')), newest(path.join(ROOT, 'electron/shared')), ...files) > built;
}

/**
 * Builds the renderer (out/renderer, what the web mode and serve hand to the browser) with Vite
 * in a child process when it is missing or older than its sources; on a failed build, one line on
 * stderr and exit 1. Where Vite is not installed (an install without the dev tools) the renderer
 * shipped is used as it is.
 */
export function ensureRenderer() {
  if (!rendererStale()) return;
  let vite;
  try {
    vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  } catch {
    return;
  }
  const built = spawnSync(process.execPath, [vite, 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT });
  if (built.status !== 0) {
    console.error('Replication Console: the renderer build failed.');
    process.exit(1);
  }
}
