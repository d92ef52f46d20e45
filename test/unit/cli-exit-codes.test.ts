// Every error code has its exit code (main.ts's table is a Record over ERROR_CODES, so a new code
// does not compile until it has one), as the help documents them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../electron/shared/types';
import { ApiCallError } from '../../electron/shared/bind-api';
import { UsageError } from '../../electron/app/options';
import { ALERT_FIRED_EXIT_CODE, fail } from '../../electron/cli/main';
import { HELP } from '../../electron/cli/help';

const DOCUMENTED: Partial<Record<ErrorCode, number>> = {
  BAD_ARGUMENT: 2,
  READ_ONLY: 2,
  UNREACHABLE: 3,
  TIMEOUT: 3,
  MAX_CLIENTS: 3,
  TLS: 3,
  SSH: 3,
  AUTH_FAILED: 4,
  NOPERM: 4,
  HOST_KEY_UNKNOWN: 4,
  HOST_KEY_CHANGED: 4,
  HOST_KEY_REVOKED: 4,
  UNTRUSTED_HOST: 4,
  PROTECTED_MODE: 4,
  NOT_REDIS: 5,
  SENTINEL: 5,
  CLUSTER_MODE: 5,
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('exit codes', () => {
  it('come from the error code: the documented ones, and 1 for a refused plan or anything else', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((text: string) => void lines.push(text));
    for (const code of ERROR_CODES) expect(fail(new ApiCallError(code, `it failed: ${code}`)), code).toBe(DOCUMENTED[code] ?? 1);
    for (const code of ['PLAN_EXPIRED', 'PLAN_STALE', 'BUSY', 'NEEDS_OVERRIDE', 'NEEDS_CONFIRMATION'] as const) expect(fail(new ApiCallError(code, 'refused'))).toBe(1);
    expect(lines.at(-1)).toBe('replication-console: refused');
    // A usage error: one line and the hint, exit 2; anything unexpected: 1, no stack.
    expect(fail(new UsageError('bad flag'))).toBe(2);
    expect(lines.at(-1)).toBe('replication-console: bad flag\nRun `replication-console --help` for usage.');
    expect(fail(new Error('boom\n    at somewhere'))).toBe(1);
    expect(lines.at(-1)).toBe('replication-console: Internal error: boom');
  });

  it('6: an alert fired (watch --alerts), a code of its own that no error code has, as the help says', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(ALERT_FIRED_EXIT_CODE).toBe(6);
    expect(ERROR_CODES.map((code) => fail(new ApiCallError(code, 'x')))).not.toContain(6);
    expect(HELP).toContain('6 an alert fired (watch --alerts)');
  });
});
