// electron-builder.yml read and checked by electron-builder's own loader and schema validator, the
// settings that matter for a safe package, and `npm run dist` failing in one line where Electron's
// binary is missing. What the configuration actually packs is proved by a real offline pack in
// test/integration/packaging.test.ts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Configuration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function loadConfig(): Promise<Configuration> {
  return getConfig(root, null, null);
}

/**
 * The validator compiles electron-builder's whole JSON schema on first use: about a second alone,
 * and past vitest's 5 s default on a machine busy with other work (seen once, in a CI run beside another suite).
 */
const VALIDATOR_MS = 30_000;

describe('electron-builder.yml', () => {
  it('is accepted by electron-builder 26’s own schema validator', async () => {
    const config = await loadConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  }, VALIDATOR_MS);

  it('is really validated: a misspelt option is refused', async () => {
    const config = await loadConfig();
    const broken = { ...config, linux: { ...config.linux, categroy: 'Development' } } as Configuration;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/configuration\.linux/);
  }, VALIDATOR_MS);

  it('names the app and packs only the built output into an asar, with nothing to rebuild', async () => {
    const config = await loadConfig();
    expect(config).toMatchObject({
      appId: 'io.github.replicationconsole.app',
      productName: 'Replication Console',
      executableName: 'replication-console',
      directories: { output: 'dist', buildResources: 'build' },
      asar: true,
      npmRebuild: false,
      publish: null,
    });
    // The loader turns the list into file sets ({ filter }); one set here.
    const patterns = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
    expect(patterns.filter((pattern) => !pattern.startsWith('!'))).toEqual(['out/main/**', 'out/preload/**', 'out/renderer/**']);
    expect(patterns).toContain('!**/*.map');
  });

  it('sets every fuse the issue asks for', async () => {
    const config = await loadConfig();
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      resetAdHocDarwinSignature: true,
    });
  });

  it('targets AppImage and deb, a hardened-runtime dmg and a per-user NSIS installer with a choice of folder', async () => {
    const config = await loadConfig();
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'Development', synopsis: expect.any(String), maintainer: expect.stringMatching(/^.+ <.+@.+>$/) });
    expect(config.linux?.desktop?.entry).toMatchObject({ Keywords: expect.stringContaining('replication') });
    expect(config.mac).toMatchObject({
      target: 'dmg',
      hardenedRuntime: true,
      entitlements: 'build/entitlements.mac.plist',
      // Unset, electron-builder gives the helper processes its template's wider entitlements.
      entitlementsInherit: 'build/entitlements.mac.plist',
    });
    expect(config.win).toMatchObject({ target: 'nsis' });
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true });
  });

  it('grants the hardened runtime only the JIT exception Electron needs', () => {
    const plist = readFileSync(join(root, 'build/entitlements.mac.plist'), 'utf8');
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<(true|false)\/>/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit=true']);
  });
});

describe('npm run dist without Electron’s binary', () => {
  it('stops before building anything, with one line saying what is missing and how to get it', async () => {
    // The electron package reports its binary under this directory; here it does not exist,
    // as on a machine where the download never ran.
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(root, 'no-such-electron-dist') };
    const error = await run(process.execPath, [join(root, 'scripts/dist.mjs'), '--linux'], { cwd: root, env }).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(error).not.toBeNull();
    expect(error!.code).toBe(1);
    expect(error!.stdout).toBe('');
    const lines = error!.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Replication Console: npm run dist needs Electron's binary, .*`npm run get-electron`/);
  });
});
