// What a user gets after `npm install`: the CLI runs its install-time bundle, not TypeScript through
// tsx, and `npm start` without Electron's binary serves the web mode from built JavaScript, in a
// process small enough to leave running (≤ 150 MB with the lab).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEAD_PORT } from '../helpers/dead-port';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/replication-console.js');
const RSS_LIMIT_KB = 150 * 1024;

const scratch = mkdtempSync(path.join(tmpdir(), 'rc-install-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Loaded with --import: records every module the process resolves through Node's ESM loader
// (tsx's own loader included, were it loaded), so the test sees what ran, not what a file says.
const RECORDER = path.join(scratch, 'record-modules.mjs');
const HOOKS = path.join(scratch, 'record-hooks.mjs');
writeFileSync(
  HOOKS,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.RC_MODULE_LOG, result.url + '\\n');
  return result;
}
`,
);
writeFileSync(RECORDER, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${HOOKS}`)});\n`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  modules: string[];
}

async function cli(args: string[]): Promise<Run> {
  const log = path.join(scratch, `modules-${args.join('-').replace(/\W+/g, '_')}.log`);
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--import', RECORDER, BIN, ...args], {
    env: { ...process.env, RC_MODULE_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe('the CLI after install', () => {
  it('answers --help from the bundle, with no tsx loaded', async () => {
    const run = await cli(['--help']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^replication-console: /);
    expect(run.modules).toContain(`file://${path.join(ROOT, 'out/cli/entry.js')}`);
    expect(run.modules.filter((url) => /\/tsx\/|\.ts$/.test(url))).toEqual([]);
  });

  it('answers topology --help with that command, exit 0, no tsx', async () => {
    const run = await cli(['topology', '--help']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/topology/);
    expect(run.stdout).not.toMatch(/^Commands:/m);
    expect(run.modules.filter((url) => /\/tsx\/|\.ts$/.test(url))).toEqual([]);
  });

  it('runs a stale bundle it cannot rebuild (out/ not writable) with one line on stderr', async () => {
    // A checkout owned by someone else: bin/ and the bundle, but no sources, so the bundle is
    // older than every one of them. As root, the CLI runs as nobody (root writes anywhere).
    const checkout = mkdtempSync(path.join(tmpdir(), 'rc-readonly-checkout-'));
    try {
      cpSync(path.join(ROOT, 'bin'), path.join(checkout, 'bin'), { recursive: true });
      mkdirSync(path.join(checkout, 'out'));
      cpSync(path.join(ROOT, 'out/cli'), path.join(checkout, 'out/cli'), { recursive: true });
      writeFileSync(path.join(checkout, 'package.json'), readFileSync(path.join(ROOT, 'package.json')));
      for (const dir of [checkout, path.join(checkout, 'out'), path.join(checkout, 'out/cli')]) chmodSync(dir, 0o555);
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const child = spawn(process.execPath, [path.join(checkout, 'bin/replication-console.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'], ...asNobody });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(stderr).toMatch(/^Replication Console: the bundle in out\/cli is older than the sources and cannot be rebuilt here \((EACCES|EROFS|EPERM)\): running it as it is\.\n$/);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^replication-console: /);
    } finally {
      chmodSync(checkout, 0o755);
      chmodSync(path.join(checkout, 'out'), 0o755);
      chmodSync(path.join(checkout, 'out/cli'), 0o755);
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});

interface Output {
  stdout: string;
  stderr: string;
}

/** What a child prints, as it prints it. */
function collected(child: ChildProcessByStdio<null, Readable, Readable>): Output {
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return output;
}

/** The URL a child prints on the line `pattern` finds (its first group); what it printed if it exits first. */
function printedUrl(child: ChildProcessByStdio<null, Readable, Readable>, pattern: RegExp, what: string, output = collected(child)): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      const url = pattern.exec(output.stdout)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before its URL line: ${output.stdout}${output.stderr}`)));
  });
}

describe('serve after install', () => {
  it('builds the web console before serving it, where the install built only the Node bundles', { timeout: 240_000 }, async () => {
    // A checkout as `npm ci` leaves it: sources, node_modules and the CLI's bundle (timestamps kept,
    // so it is not rebuilt), no out/renderer. serve answered every page with 503 until something
    // else built it.
    const checkout = mkdtempSync(path.join(tmpdir(), 'rc-serve-checkout-'));
    const data = mkdtempSync(path.join(tmpdir(), 'rc-serve-data-'));
    const items = ['bin', 'electron', 'renderer', 'scripts', 'out/cli', 'package.json', 'package-lock.json', 'vite.renderer.config.ts', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.web.json', 'tsconfig.node.json'];
    for (const item of items) cpSync(path.join(ROOT, item), path.join(checkout, item), { recursive: true, preserveTimestamps: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
    const closed = DEAD_PORT;
    const child = spawn(process.execPath, [path.join(checkout, 'bin/replication-console.js'), 'serve', '--listen', '127.0.0.1:0', '--seed', `127.0.0.1:${closed}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: data },
    });
    try {
      const url = await printedUrl(child, /^Replication Console \(serve\): (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/m, 'serve');
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script[^>]+src="\.\/assets\/[^"]+\.js"/);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(checkout, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    }
  });
});

/** The process ids under `pid` (children, grandchildren, …), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in field 2 may hold spaces and parentheses: the ppid follows the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(process.platform === 'linux')('npm start without Electron', () => {
  it('serves the console with the lab from built JavaScript, in ≤ 150 MB, and stops on SIGTERM', { timeout: 180_000 }, async () => {
    // No display: the web mode even on a machine that has Electron's binary.
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const npm = spawn('npm', ['start', '--', '--lab', '--no-open'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collected(npm);
    try {
      const url = await printedUrl(npm, /^Replication Console \(web mode\): (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})$/m, 'npm start', output);
      expect(output.stderr).toMatch(/serving the web mode/);

      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script[^>]+src="\.\/assets\/[^"]+\.js"/);

      const tree = descendants(npm.pid!);
      // npm runs it through sh -c: the server is the node process itself, not the shell.
      const server = tree.find((pid) => /(^|\/)node bin\/start\.js /.test(commandLine(pid)));
      expect(server, `no bin/start.js under npm: ${tree.map(commandLine).join(' | ')}`).toBeDefined();
      const labNodes = descendants(server!).filter((pid) => commandLine(pid).includes('redis-server'));
      expect(labNodes).toHaveLength(4);
      // The server holds neither vite nor tsx: its own memory, measured with the lab running.
      expect(rssKb(server!)).toBeLessThanOrEqual(RSS_LIMIT_KB);

      process.kill(server!, 'SIGTERM');
      const [code] = (await once(npm, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(labNodes.filter(alive)).toEqual([]);
    } finally {
      if (npm.exitCode === null) {
        for (const pid of descendants(npm.pid!)) if (alive(pid)) process.kill(pid, 'SIGKILL');
        npm.kill('SIGKILL');
      }
    }
  });
});
