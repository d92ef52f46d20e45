import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../../electron/shared/bind-api';
import { ERROR_CODES } from '../../../electron/shared/types';
import { explainError, nothingSent, toApiError, withoutStack } from '../../../renderer/src/lib/errors';

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
    expect(toApiError(Object.assign(new Error('odd'), { code: 'WHAT' }))).toEqual({ code: 'INTERNAL', message: 'odd' });
    expect(toApiError('text')).toEqual({ code: 'INTERNAL', message: 'text' });
    expect(toApiError(42)).toEqual({ code: 'INTERNAL', message: 'Unknown error' });
  });
  it('keeps the details the UI acts on, and only well-formed ones', () => {
    const busy = new ApiCallError('BUSY', 'another plan is running', { nothingSent: true, runningPlanId: 'p-1' });
    expect(toApiError(busy)).toEqual({ code: 'BUSY', message: 'another plan is running', details: { nothingSent: true, runningPlanId: 'p-1' } });
    const override = new ApiCallError('NEEDS_OVERRIDE', 'm', { nothingSent: true, overrides: ['FULL_SYNC'] });
    expect(toApiError(override).details).toEqual({ nothingSent: true, overrides: ['FULL_SYNC'] });
    // A transport's rebuilt error with no details has none; malformed fields are dropped, never guessed.
    expect(toApiError(new ApiCallError('UNREACHABLE', 'lost'))).toEqual({ code: 'UNREACHABLE', message: 'lost' });
    const odd = Object.assign(new Error('m'), { code: 'PLAN_STALE', details: { nothingSent: 'yes', overrides: [1], confirm: 'h:1' } });
    expect(toApiError(odd)).toEqual({ code: 'PLAN_STALE', message: 'm', details: { confirm: 'h:1' } });
  });
  it('says nothing was sent only for an explicit nothingSent: true', () => {
    expect(nothingSent({ code: 'PLAN_STALE', message: 'm', details: { nothingSent: true } })).toBe(true);
    expect(nothingSent({ code: 'PLAN_STALE', message: 'm' })).toBe(false);
    expect(nothingSent({ code: 'BAD_ARGUMENT', message: 'm', details: { nothingSent: false } })).toBe(false);
  });
  it('strips stack frames only', () => {
    expect(withoutStack('line one\nline two\n    at x')).toBe('line one\nline two');
  });
});

describe('explainError', () => {
  it('has a title and a hint for every code', () => {
    for (const code of ERROR_CODES) {
      const { title, hint } = explainError(code);
      expect(title.length, code).toBeGreaterThan(3);
      expect(hint.length, code).toBeGreaterThan(10);
    }
  });

  it('has a title and a hint for every failure code the connect screen can see', () => {
    for (const code of ['AUTH_FAILED', 'UNREACHABLE', 'TIMEOUT', 'NOT_REDIS', 'SENTINEL', 'CLUSTER_MODE', 'BAD_ARGUMENT'] as const) {
      const { title, hint } = explainError(code);
      expect(title.length).toBeGreaterThan(3);
      expect(hint.length).toBeGreaterThan(10);
    }
  });
});
