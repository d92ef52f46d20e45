import { describe, expect, it } from 'vitest';
import { explainError, toApiError, withoutStack } from '../../../renderer/src/lib/errors';

class ApiCallError extends Error {
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

describe('toApiError', () => {
  it('keeps a known code and the engine message', () => {
    expect(toApiError(new ApiCallError('AUTH_FAILED', 'WRONGPASS invalid username-password pair'))).toEqual({
      code: 'AUTH_FAILED',
      message: 'WRONGPASS invalid username-password pair',
    });
  });
  it('maps unknown codes and plain errors to INTERNAL without a stack', () => {
    const error = new Error('boom');
    error.message = 'boom\n    at foo (file.js:1:1)\n    at bar (file.js:2:2)';
    expect(toApiError(error)).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toApiError(new ApiCallError('WHAT', 'odd'))).toEqual({ code: 'INTERNAL', message: 'odd' });
    expect(toApiError('text')).toEqual({ code: 'INTERNAL', message: 'text' });
    expect(toApiError(42)).toEqual({ code: 'INTERNAL', message: 'Unknown error' });
  });
  it('strips stack frames only', () => {
    expect(withoutStack('line one\nline two\n    at x')).toBe('line one\nline two');
  });
});

describe('explainError', () => {
  it('has a title and a hint for every failure code the connect screen can see', () => {
    for (const code of ['AUTH_FAILED', 'UNREACHABLE', 'TIMEOUT', 'NOT_REDIS', 'SENTINEL', 'CLUSTER_MODE', 'BAD_ARGUMENT'] as const) {
      const { title, hint } = explainError(code);
      expect(title.length).toBeGreaterThan(3);
      expect(hint.length).toBeGreaterThan(10);
    }
  });
});
