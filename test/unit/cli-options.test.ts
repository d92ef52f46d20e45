// The one option table (app/options.ts): which command takes which option, that every command's
// help lists exactly the options its parser takes, one wording for a bad option everywhere, and
// that the help path loads the help texts and nothing that connects.
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACTION_COMMANDS, COMMANDS, CONNECTION_HELP, CONNECTION_OPTION_NAMES, OPTIONS, optionsOf, parseOptions, UsageError, type Command } from '../../electron/app/options';
import { parseConsoleArgs, USAGE } from '../../electron/app/cli-options';
import { answerHelp, commandHelp, HELP } from '../../electron/cli/help';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONNECTION = [...CONNECTION_OPTION_NAMES];
const ACTION = ['dry-run', 'yes', 'persist', 'set-masterauth', 'override', 'step-timeout', 'master-address', 'json'];
const TARGETS: Record<(typeof ACTION_COMMANDS)[number], string[]> = {
  replicaof: ['node', 'master', 'no-write-pause'],
  promote: ['node', 'repoint-siblings'],
  switchover: ['to', 'method'],
  failover: ['to'],
  detach: ['node'],
  'sentinel-failover': ['master', 'prefer'],
};

/** The help a command prints (the web mode and the app print USAGE). */
function helpOf(command: Command): string {
  return command === 'console' ? USAGE : (commandHelp(command) ?? '');
}

function usageError(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the option table', () => {
  it('gives every command its options', () => {
    const expected: Record<Command, string[]> = {
      topology: [...CONNECTION, 'format', 'help'],
      watch: [...CONNECTION, 'format', 'problems', 'alerts', 'duration', 'alert', 'help'],
      ...Object.fromEntries(ACTION_COMMANDS.map((command) => [command, [...CONNECTION, ...TARGETS[command], ...ACTION, 'help']])),
      interrupted: [...CONNECTION, 'json', 'dismiss', 'help'],
      forget: ['json', 'help'],
      lab: ['help'],
      serve: [...CONNECTION, 'alert', 'listen', 'config', 'auth-token-file', 'basic-auth-file', 'listen-cert', 'listen-key', 'help'],
      console: [...CONNECTION, 'port', 'lab', 'no-open', 'help'],
    } as Record<Command, string[]>;
    for (const command of COMMANDS) expect(optionsOf(command).sort(), command).toEqual([...expected[command]].sort());
    expect(CONNECTION).toEqual(expect.arrayContaining(['seed', 'user', 'password', 'askpass', 'tls', 'ssh', 'sentinel', 'master-name', 'trust', 'read-only', 'map', 'interval', 'timeout']));
  });

  it("lists in each command's help every option its parser takes, and no other", () => {
    for (const command of COMMANDS) {
      const help = helpOf(command);
      const taken = optionsOf(command).filter((name) => name !== 'help');
      for (const name of taken) expect(help, `${command} --help lists --${name}`).toMatch(new RegExp(`--${name}\\b`));
      // The pointer to the global help is the only other option a command's help names.
      const named = new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] ?? ''));
      named.delete('help');
      expect([...named].filter((name) => !(taken as string[]).includes(name)), `${command} --help names only its own options`).toEqual([]);
      // And the parser takes each of them.
      for (const name of taken) {
        const spec = OPTIONS[name];
        expect(() => parseOptions(command, spec.type === 'string' ? [`--${name}`, 'x'] : [`--${name}`]), `${command} --${name}`).not.toThrow();
      }
    }
    // Every option of the table is some command's, and the global help lists the connection options as the commands do.
    for (const name of Object.keys(OPTIONS)) expect(COMMANDS.some((c) => optionsOf(c).includes(name as keyof typeof OPTIONS)), name).toBe(true);
    expect(HELP).toContain(CONNECTION_HELP);
    for (const name of CONNECTION) expect(CONNECTION_HELP).toContain(`  ${OPTIONS[name].usage} `);
  });

  it('refuses a bad option in one line, in the same words in every command and in the web mode', () => {
    for (const command of COMMANDS) expect(usageError(() => parseOptions(command, ['--frob']))).toBe('unknown option --frob');
    expect(usageError(() => parseConsoleArgs(['--frob'], { env: {} }))).toBe('unknown option --frob');
    expect(usageError(() => parseOptions('topology', ['-x']))).toBe('unknown option -x');
    // Another command's option is named as such.
    expect(usageError(() => parseOptions('topology', ['--dismiss', 'x']))).toBe('topology does not take --dismiss');
    expect(usageError(() => parseOptions('lab', ['--seed', 'h:1']))).toBe('lab does not take --seed');
    expect(usageError(() => parseConsoleArgs(['--yes'], { env: {} }))).toBe('the console does not take --yes');
    expect(usageError(() => parseOptions('topology', ['--seed']))).toBe('--seed needs a value');
    expect(usageError(() => parseOptions('topology', ['--seed', '--tls']))).toBe('--seed needs a value (one that starts with "-" is given as --seed=VALUE)');
    expect(usageError(() => parseOptions('promote', ['--yes=1']))).toBe('--yes takes no value');
    expect(usageError(() => parseOptions('watch', ['127.0.0.1:6379']))).toBe('watch takes no argument "127.0.0.1:6379" (options start with --)');
    // Without strict (the desktop app: Chromium's switches), others' options are skipped but a missing value is not.
    expect(parseOptions('console', ['--enable-logging', '--yes', '--seed', 'h:1'], { strict: false }).values).toEqual({ 'enable-logging': true, yes: true, seed: ['h:1'] });
    expect(usageError(() => parseOptions('console', ['--seed'], { strict: false }))).toBe('--seed needs a value');
  });

  it('reads repeatable options as lists and the rest as one value', () => {
    const { values } = parseOptions('switchover', ['--seed', 'a:1', '--seed', 'b:2', '--override', 'X', '--to', 'c:3', '--yes']);
    expect(values).toEqual({ seed: ['a:1', 'b:2'], override: ['X'], to: 'c:3', yes: true });
  });
});

describe('help', () => {
  function run(argv: string[]): { code: number | null; out: string; err: string } {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    vi.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
    const code = answerHelp(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('answers --help, -h, help and COMMAND --help with that usage and 0; nothing or an unknown command with 2', () => {
    expect(run(['--help'])).toEqual({ code: 0, out: HELP, err: '' });
    expect(run(['help'])).toEqual({ code: 0, out: HELP, err: '' });
    expect(run([])).toEqual({ code: 2, out: HELP, err: '' });
    for (const command of COMMANDS.filter((c) => c !== 'console')) {
      expect(run([command, '--help'])).toEqual({ code: 0, out: commandHelp(command), err: '' });
      expect(run([command, '--seed', 'h:1', '-h']).out).toBe(commandHelp(command));
      expect(run(['help', command]).out).toBe(commandHelp(command));
    }
    expect(run(['frob', '--help'])).toEqual({ code: 2, out: '', err: 'replication-console: unknown command "frob"\nRun `replication-console --help` for usage.' });
    // Anything else is a command to run.
    expect(run(['topology', '--seed', 'h:1']).code).toBeNull();
  });

  it('is answered from the help texts alone: entry.ts loads no engine, ioredis, zod or ssh2 before it knows a command runs', async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ['electron/cli/entry.ts'],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      outdir: 'out/test-help-path',
      external: ['ssh2', 'cpu-features', '*.node'],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((file) => outputs[file]?.entryPoint === 'electron/cli/entry.ts') ?? '';
    const loaded = staticClosure(outputs, entry);
    const inputs = [...loaded].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
    expect(inputs.filter((input) => input.includes('node_modules') || input.includes('electron/engine/'))).toEqual([]);
    expect(inputs).toContain('electron/cli/help.ts');
    expect(inputs).not.toContain('electron/cli/main.ts');
  });
});

/** The output files loaded before any dynamic import() runs. */
function staticClosure(outputs: Metafile['outputs'], start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(start);
  return seen;
}
