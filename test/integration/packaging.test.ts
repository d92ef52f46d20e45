// A real offline `npm run dist` on a copy of the project: the icons, `electron-vite build`, then
// electron-builder's own packing (Linux, `dir` target) against a stand-in Electron distribution,
// since the real binary cannot be downloaded here. The stand-in carries the fuse wire (sentinel,
// version, one byte per fuse) where @electron/fuses looks for it, so the fuses are flipped for
// real. Then the packed app.asar is listed with @electron/asar: it must hold what the app loads
// and nothing else.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { extractAll, extractFile, listPackage, statFile } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// A fuse's byte in the wire (@electron/fuses does not export its FuseState).
const FuseState = { DISABLE: '0'.charCodeAt(0), ENABLE: '1'.charCodeAt(0) } as const;
// Electron's own defaults, in wire order: RunAsNode on, cookie encryption off, NODE_OPTIONS on,
// inspect flags on, asar integrity off, only-asar off, browser V8 snapshot off, file:// privileges on.
const STOCK_WIRE = [FuseState.ENABLE, FuseState.DISABLE, FuseState.ENABLE, FuseState.ENABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.ENABLE];
// Packages that are tools of the repo, never of the app.
const NEVER_PACKED = ['vite', 'vitest', 'svelte', 'playwright-core', 'tsx', 'esbuild', 'electron', 'electron-builder', 'electron-vite', 'typescript', '@resvg/resvg-js'];
// ssh2's optional native parts, left out on purpose (electron-builder.yml says why).
const LEFT_OUT = ['cpu-features', 'nan', 'buildcheck'];

let work = '';
let project = '';
let appDir = '';
let asarPath = '';
let packed: string[] = [];

/** Every file (not directory) in the asar, as a relative path. */
function asarFiles(archive: string): string[] {
  return listPackage(archive, { isPack: false })
    .map((entry) => entry.replace(/^[\\/]/, '').split(sep).join('/'))
    .filter((entry) => !('files' in statFile(archive, entry)));
}

/** Files under dir, relative to base, '/'-separated. */
function filesUnder(dir: string, base: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(base, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** The project as a clone has it, without build output; node_modules hard-linked (fast, no copy). */
function copyProject(to: string): void {
  const skip = new Set(['node_modules', '.git', 'out', 'dist', 'release', 'test-artifacts', 'bench-results']);
  cpSync(root, to, {
    recursive: true,
    filter: (src) => {
      const rel = relative(root, src).split(sep).join('/');
      return !skip.has(rel.split('/')[0]!) && rel !== 'build/icons' && rel !== 'build/icon.png';
    },
  });
  try {
    execFileSync('cp', ['-al', join(root, 'node_modules'), join(to, 'node_modules')]);
  } catch {
    cpSync(join(root, 'node_modules'), join(to, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
  // Caches that tools rewrite in place: not ours to touch through a hard link.
  rmSync(join(to, 'node_modules/.vite'), { recursive: true, force: true });
}

/** A stand-in for Electron's unpacked Linux distribution: an `electron` file with the fuse wire. */
function standInElectron(dir: string): void {
  mkdirSync(join(dir, 'locales'), { recursive: true });
  mkdirSync(join(dir, 'resources'));
  const wire = Buffer.from([1, STOCK_WIRE.length, ...STOCK_WIRE]);
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from(`#!/bin/sh\nexit 0\n# ${SENTINEL}`), wire, Buffer.from('\n')]));
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), 'stand-in');
  writeFileSync(join(dir, 'locales/en-US.pak'), '');
}

/** Production packages per package-lock.json that are installed here, as their node_modules paths. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, meta]) => path.startsWith('node_modules/') && !meta.dev && !meta.devOptional)
    .map(([path]) => path)
    .filter((path) => existsSync(join(root, path, 'package.json')));
}

/** The package an import specifier names ('@scope/name' or 'name'). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rc-pack-'));
  project = join(work, 'project');
  copyProject(project);
  // The install-time CLI and web bundles sit next to the Electron build; the app does not load them.
  mkdirSync(join(project, 'out/cli'), { recursive: true });
  writeFileSync(join(project, 'out/cli/entry.js'), '// CLI bundle\n');
  mkdirSync(join(project, 'out/web'), { recursive: true });
  writeFileSync(join(project, 'out/web/cli.js'), '// web bundle\n');
  const electronDist = join(work, 'electron-dist');
  standInElectron(electronDist);

  const args = ['scripts/dist.mjs', '--linux', 'dir', `--config.electronDist=${electronDist}`, `--config.directories.output=${join(work, 'dist')}`];
  // The electron package reports its binary under ELECTRON_OVERRIDE_DIST_PATH: the stand-in.
  const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: electronDist };
  try {
    await run(process.execPath, args, { cwd: project, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run dist failed:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  }
  appDir = join(work, 'dist/linux-unpacked');
  asarPath = join(appDir, 'resources/app.asar');
  packed = asarFiles(asarPath);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run dist, packed offline', () => {
  it('renders every icon size from assets/icon.svg', () => {
    for (const size of ICON_SIZES) {
      const png = readFileSync(join(project, `build/icons/${size}x${size}.png`));
      // PNG header: width and height are the first two fields of IHDR.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(readFileSync(join(project, 'build/icon.png')).readUInt32BE(16)).toBe(1024);
  });

  it('makes the executable under its own name, with the app in one app.asar and nothing beside it', () => {
    expect(existsSync(join(appDir, 'replication-console'))).toBe(true);
    // Nothing unpacked from the asar: no native module, no binary of a build tool.
    expect(readdirSync(join(appDir, 'resources'))).toEqual(['app.asar']);
  });

  it('packs the main bundle, the preload, the renderer and package.json, and no other file of ours', () => {
    const built = filesUnder(join(project, 'out'), project).filter((file) => /^out\/(main|preload|renderer)\//.test(file) && !file.endsWith('.map'));
    expect(built).toEqual(expect.arrayContaining(['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']));
    expect(built.some((file) => file.startsWith('out/renderer/assets/'))).toBe(true);
    const ours = packed.filter((file) => !file.startsWith('node_modules/'));
    expect(ours.sort()).toEqual([...built, 'package.json'].sort());
  });

  it('packs no sources, tests, benches, source maps or front ends other than the desktop one', () => {
    const strays = packed.filter(
      (file) => /\.(map|ts|cts|mts|svelte)$/.test(file) || /^(test|bench|electron|renderer|scripts|bin|docs|assets|build|out\/cli|out\/web)\//.test(file),
    );
    expect(strays).toEqual([]);
  });

  it('packs exactly the production dependencies, and no devDependency', () => {
    // A package is a package.json right under node_modules/ (one deeper inside a package, such as a
    // "type" marker in dist/cjs, is not).
    const installed = packed.filter((file) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(file)).map((file) => file.replace(/\/package\.json$/, ''));
    const expected = productionPackages().filter((path) => !LEFT_OUT.includes(path.replace(/^node_modules\//, '')));
    expect(installed.sort()).toEqual(expected.sort());
    const devDependencies = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    const dev = [...new Set([...NEVER_PACKED, ...devDependencies])].filter((name) => installed.includes(`node_modules/${name}`));
    expect(dev).toEqual([]);
  });

  it('packs every package the main bundle imports, and they load from the packed tree without the left-out native parts', async () => {
    // index.js and the chunks it loads on demand (the lab).
    const main = packed.filter((file) => /^out\/main\/.*\.js$/.test(file)).map((file) => extractFile(asarPath, file).toString('utf8')).join('\n');
    const specifiers = [...main.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'.][^"']*)["']/g)].map((m) => m[1]!);
    const external = [...new Set(specifiers.filter((s) => !isBuiltin(s) && s !== 'electron').map(packageOf))];
    expect(external).toEqual(expect.arrayContaining(['ioredis', 'ssh2', 'zod']));
    for (const name of external) expect(packed).toContain(`node_modules/${name}/package.json`);

    const extracted = join(work, 'extracted');
    extractAll(asarPath, extracted);
    writeFileSync(join(extracted, 'probe.mjs'), 'for (const name of process.argv.slice(2)) await import(name);\n');
    await expect(run(process.execPath, [join(extracted, 'probe.mjs'), ...external], { cwd: extracted })).resolves.toBeDefined();
  });

  it('flips the fuses in the packed executable', async () => {
    const wire = await getCurrentFuseWire(join(appDir, 'replication-console'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    // Left as Electron ships them: the renderer is loaded from file://.
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.ENABLE);
  });

  it('writes a package.json whose main is packed and whose desktopName matches the .desktop entry', () => {
    const manifest = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8')) as { main: string; desktopName: string; scripts?: unknown };
    expect(packed).toContain(manifest.main);
    expect(manifest.desktopName).toBe('replication-console.desktop');
    expect(manifest.scripts).toBeUndefined();
  });

  it("packs a preload that runs in Electron's sandbox: it requires nothing but electron, and exposes the bridge", () => {
    const source = extractFile(asarPath, 'out/preload/index.cjs').toString('utf8');
    const exposed = new Map<string, unknown>();
    // What a sandboxed preload's require() gives (Electron's sandbox docs): these and nothing else.
    const sandboxModules: Record<string, unknown> = {
      electron: { contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) }, ipcRenderer: { invoke: async () => null, on: () => undefined } },
      events: {},
      timers: {},
      url: {},
    };
    const refused: string[] = [];
    const sandboxRequire = (id: string): unknown => {
      if (Object.hasOwn(sandboxModules, id)) return sandboxModules[id];
      refused.push(id);
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    runInNewContext(source, { require: sandboxRequire, module, exports: module.exports, console });
    expect(refused).toEqual([]);
    expect([...exposed.keys()]).toEqual(['replicationConsole']);
    expect(Object.keys(exposed.get('replicationConsole') as object).sort()).toEqual(['closeTopology', 'openTopologies', 'resendTick', 'topology']);
  });
});
