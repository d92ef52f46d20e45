import { describe, expect, it } from 'vitest';
import { formatAddress, normalizeAddress, parseAddress } from '../../electron/engine/address';
import { EngineError, classifyError, redact, toApiError } from '../../electron/engine/errors';

describe('addresses', () => {
  it('parses host:port, bare hosts and bracketed IPv6', () => {
    expect(parseAddress('10.0.0.1:6380')).toEqual({ host: '10.0.0.1', port: 6380 });
    expect(parseAddress('redis.internal')).toEqual({ host: 'redis.internal', port: 6379 });
    expect(parseAddress('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(normalizeAddress(' localhost ')).toBe('localhost:6379');
    expect(formatAddress('::1', 6379)).toBe('[::1]:6379');
  });

  it('rejects bad ports and empty hosts with BAD_ARGUMENT', () => {
    for (const bad of ['host:0', 'host:65536', 'host:abc', ':6379', '']) {
      expect(() => parseAddress(bad)).toThrow(EngineError);
    }
  });
});

describe('classifyError', () => {
  const cases: Array<[string, string]> = [
    ['WRONGPASS invalid username-password pair or user is disabled.', 'AUTH_FAILED'],
    ['NOAUTH Authentication required.', 'AUTH_FAILED'],
    ["NOPERM this user has no permissions to run the 'info' command", 'NOPERM'],
    ['connect ECONNREFUSED 127.0.0.1:1', 'UNREACHABLE'],
    ['getaddrinfo ENOTFOUND nosuchhost', 'UNREACHABLE'],
    ['Protocol error, got "H" as reply type byte', 'NOT_REDIS'],
    ['LOADING Redis is loading the dataset in memory', 'LOADING'],
    ['Command timed out', 'TIMEOUT'],
    ['read ECONNRESET', 'UNREACHABLE'],
    // A script that runs on: alive, but as good as stalled (it was an INTERNAL error, read by emergency failover as "cannot be reached").
    ['BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.', 'TIMEOUT'],
    // Up, refusing new connections (sent on accept, then closed): not "connection closed", not down.
    ['ERR max number of clients reached', 'MAX_CLIENTS'],
    ['DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.', 'PROTECTED_MODE'],
  ];
  it.each(cases)('%s → %s', (message, code) => {
    const error = classifyError(new Error(message), '127.0.0.1:6379');
    expect(error.code).toBe(code);
    expect(error.message).toContain('127.0.0.1:6379');
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it('turns unknown failures into INTERNAL without a stack', () => {
    const api = toApiError(new Error('boom\n    at foo (bar.js:1:1)'));
    expect(api).toEqual({ code: 'INTERNAL', message: 'Internal error: boom' });
  });

  it('redacts secrets', () => {
    expect(redact('AUTH s3cret failed for s3cret', ['s3cret', undefined])).toBe('AUTH *** failed for ***');
    expect(redact('CONFIG SET masterauth e', ['e'])).toBe('CONFIG SET masterauth ***');
    expect(redact("ERR invalid password 'a.b*c'", ['a.b*c'])).toBe("ERR invalid password '***'");
    expect(redact('redis://:pw@host:1', ['pw'])).toBe('redis://:***@host:1');
    expect(redact('the password is hunter2.', ['hunter2'])).toBe('the password is ***.');
  });

  it('leaves a short secret inside a word: cut out of "authentication" it garbled the message and told the password by where *** fell', () => {
    expect(redact('authentication failed (wrong user name or password)', ['e'])).toBe('authentication failed (wrong user name or password)');
    expect(redact('127.0.0.1:6379: authentication failed (wrong user name or password)', ['wrong'])).toBe('127.0.0.1:6379: authentication failed (*** user name or password)');
  });
});
