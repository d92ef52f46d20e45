// `node scripts/build-node.mjs [cli] [web]` (npm's `prepare` runs it at install): bundles the Node
// side with esbuild, so the CLI and the web server run built JavaScript, not tsx.
//   electron/cli/entry.ts → out/cli/entry.js    electron/web/cli.ts → out/web/cli.js
// Code splitting keeps the CLI's entry chunk small: a command's code loads when it runs.
// The renderer is vite's job (bin/start.js), not this script's.
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const BUNDLES = {
  cli: { entry: 'electron/cli/entry.ts', outdir: 'out/cli', main: 'entry.js' },
  web: { entry: 'electron/web/cli.ts', outdir: 'out/web', main: 'cli.js' },
};

/** Lists the source files a bundle was built from (bin/bundle.js compares their times with the bundle's). */
export const SOURCES_FILE = 'sources.json';

const STALE_CHUNK_MS = 60 * 60_000;

// ioredis, zod and ws are bundled: measured on `node out/cli/entry.js topology`, loading ioredis
// from one file costs about half the CPU of resolving and compiling its ~100 files one by one.
// ssh2 stays in node_modules: its optional native crypto is a require() relative to its own files
// (it must stay optional: without the build, ssh2 uses its JavaScript crypto) and the engine loads
// it only for an SSH tunnel anyway. cpu-features is ssh2's optional, uninstalled, dependency.
const EXTERNAL = ['ssh2', 'cpu-features', '*.node'];

// Bundled CommonJS packages call require() for Node's modules: give the ESM output one.
const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * A bundled CommonJS file that reads __dirname (ioredis, for its package.json version) gets its own
 * directory, as from node_modules. The bundle runs where it was built, so the path holds.
 */
const commonJsDirname = {
  name: 'commonjs-dirname',
  setup(build) {
    build.onLoad({ filter: /node_modules[\\/].*\.c?js$/ }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(contents)) return undefined;
      const dir = path.dirname(args.path);
      const prefix = `var __dirname = ${JSON.stringify(dir)}, __filename = ${JSON.stringify(args.path)};`;
      return { contents: `${prefix}${contents}`, loader: 'js', resolveDir: dir };
    });
  },
};

/**
 * How the Node side is compiled for users: one ESM bundle per entry with ioredis, zod and ws
 * inside, no esbuild `keepNames` (tsx, which runs sources directly, turns it on). The benchmarks
 * build their polling workers with these options too, so they measure the code users run.
 */
export function nodeBundleOptions() {
  return {
    absWorkingDir: ROOT,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [commonJsDirname],
    logLevel: 'silent',
  };
}

/**
 * Builds the named bundles. Each file is written to a temporary name and renamed into place, the
 * entry last, and old chunks are kept: a CLI started during a rebuild loads either the old
 * bundle or the new one whole. Files the new build does not use are removed once an hour old (a
 * CLI started before may still load a chunk late), or at once with `prune` (the install-time build).
 */
export async function buildNode({ names = Object.keys(BUNDLES), prune = false } = {}) {
  const esbuild = await import('esbuild');
  await Promise.all(names.map((name) => buildOne(esbuild, name, prune)));
}

async function buildOne(esbuild, name, prune) {
  const bundle = BUNDLES[name];
  if (!bundle) throw new Error(`unknown bundle "${name}" (there are: ${Object.keys(BUNDLES).join(', ')})`);
  // A source saved while we build must still make the bundle look stale: date it from the start.
  const startedAt = new Date();
  const outdir = path.join(ROOT, bundle.outdir);
  const result = await esbuild.build({
    ...nodeBundleOptions(),
    entryPoints: { [path.basename(bundle.main, '.js')]: bundle.entry },
    outdir,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
  });
  const sources = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/'));
  await mkdir(outdir, { recursive: true });
  const mainFile = path.join(outdir, bundle.main);
  const files = [
    ...result.outputFiles.filter((file) => file.path !== mainFile && file.path !== `${mainFile}.map`),
    { path: path.join(outdir, SOURCES_FILE), contents: Buffer.from(`${JSON.stringify(sources)}\n`) },
    ...result.outputFiles.filter((file) => file.path === `${mainFile}.map`),
    ...result.outputFiles.filter((file) => file.path === mainFile),
  ];
  for (const file of files) await writeAtomically(file.path, file.contents);
  await utimes(mainFile, startedAt, startedAt);
  const keep = new Set(files.map((file) => path.basename(file.path)));
  const oldEnough = startedAt.getTime() - (prune ? 0 : STALE_CHUNK_MS);
  for (const entry of await readdir(outdir)) {
    if (keep.has(entry)) continue;
    const file = path.join(outdir, entry);
    const modified = await stat(file).then((info) => info.mtimeMs, () => Number.POSITIVE_INFINITY);
    if (modified <= oldEnough) await rm(file, { recursive: true, force: true });
  }
}

let written = 0;

async function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}-${++written}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/** The first error of a failed build, on one line. */
export function firstError(error) {
  const first = error?.errors?.[0];
  if (first) {
    const where = first.location ? `${first.location.file}:${first.location.line}: ` : '';
    return `${where}${first.text}`;
  }
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --quiet: nothing on success (bin/ rebuilds a stale bundle before running it).
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const names = args.filter((arg) => arg !== '--quiet');
  const started = performance.now();
  try {
    await buildNode({ names: names.length > 0 ? names : undefined, prune: names.length === 0 });
    if (!quiet) console.log(`Replication Console: CLI and web server built to out/ in ${Math.round(performance.now() - started)} ms.`);
  } catch (error) {
    console.error(`Replication Console: the Node build failed: ${firstError(error)}`);
    process.exit(1);
  }
}
