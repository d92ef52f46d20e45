import type { ApiError, ErrorCode } from '../shared/types';

/** An error with a code the UI and the CLI can act on, and a message fit to show a person. */
export class EngineError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

interface Rule {
  test: RegExp;
  code: ErrorCode;
  explain: (address: string, raw: string) => string;
}

// Order matters: the first rule that matches wins. Each message says what happened in an
// operator's words and, where there is one, what to do about it.
const RULES: Rule[] = [
  {
    test: /WRONGPASS|invalid password|invalid username-password/i,
    code: 'AUTH_FAILED',
    explain: (a) => `${a}: authentication failed (wrong user name or password)`,
  },
  {
    test: /NOAUTH/,
    code: 'AUTH_FAILED',
    explain: (a) => `${a} requires a password: give --password (and --user for an ACL user)`,
  },
  {
    test: /AUTH <password> called without any password configured|Client sent AUTH, but no password is set/i,
    code: 'AUTH_FAILED',
    explain: (a) => `${a} has no password set, but one was given: connect without --password`,
  },
  {
    test: /NOPERM/,
    code: 'NOPERM',
    explain: (a, raw) => `${a}: the ACL user lacks a permission (${firstLine(raw).replace(/^NOPERM\s*/, '')})`,
  },
  { test: /^LOADING/, code: 'LOADING', explain: (a) => `${a} is loading its dataset into memory; try again shortly` },
  {
    test: /ECONNREFUSED/,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: connection refused (nothing is listening on that port)`,
  },
  {
    test: /ENOTFOUND|EAI_AGAIN|EAI_NONAME/,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: the host name could not be resolved`,
  },
  {
    test: /EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: no route to that host`,
  },
  {
    test: /ETIMEDOUT|timed out|TIMEOUT/i,
    code: 'TIMEOUT',
    explain: (a) => `${a} did not answer in time (the process may be stalled or overloaded, or a firewall drops packets)`,
  },
  {
    test: /Protocol error|unknown reply|Unexpected|ERR_INVALID|ECONNRESET.*HTTP/i,
    code: 'NOT_REDIS',
    explain: (a) => `${a} answered, but not with the Redis protocol: is this port a Redis server?`,
  },
  {
    test: /ECONNRESET|EPIPE|Connection is closed|Stream isn't writeable|connection closed/i,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: the connection was closed by the other side`,
  },
];

/** Turn anything ioredis or Node throws into an EngineError about one node. */
export function classifyError(error: unknown, address: string): EngineError {
  if (error instanceof EngineError) return error;
  const raw = rawMessage(error);
  for (const rule of RULES) {
    if (rule.test.test(raw)) return new EngineError(rule.code, rule.explain(address, raw));
  }
  return new EngineError('INTERNAL', `${address}: ${firstLine(raw) || 'unexpected error'}`);
}

/** Any thrown value → `{ code, message }`, never a stack trace. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  const raw = firstLine(rawMessage(error));
  return { code: 'INTERNAL', message: `Internal error: ${raw || 'unknown'}` };
}

/** Remove secrets from a message before it is shown or logged. */
export function redact(message: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

function rawMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return typeof error === 'string' ? error : '';
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim().slice(0, 300);
}
