import { describe, expect, it } from 'vitest';
import type { MoveCandidate } from '../../../electron/shared/actions';
import { MoveState } from '../../../renderer/src/state/move-state.svelte';

const CANDIDATES: MoveCandidate[] = [
  { address: '127.0.0.1:7000', valid: false, reason: 'already its master', warning: null },
  { address: '127.0.0.1:7001', valid: true, reason: null, warning: null },
  { address: '127.0.0.1:7003', valid: true, reason: null, warning: 'full sync expected: 127.0.0.1:7002 is flushed' },
];

describe('MoveState', () => {
  it('lights targets from the candidates once they arrive', () => {
    const moves = new MoveState();
    expect(moves.targetFor('127.0.0.1:7001')).toBeNull();
    const token = moves.begin('127.0.0.1:7002');
    expect(moves.active).toBe(true);
    expect(moves.targetFor('127.0.0.1:7002')).toEqual({ verdict: 'source', text: null });
    expect(moves.targetFor('127.0.0.1:7001')).toEqual({ verdict: 'unchecked', text: null });
    moves.loaded(token, CANDIDATES);
    expect(moves.validCount).toBe(2);
    expect(moves.targetFor('127.0.0.1:7000')).toEqual({ verdict: 'invalid', text: 'already its master' });
    expect(moves.targetFor('127.0.0.1:7001')).toEqual({ verdict: 'valid', text: null });
    expect(moves.targetFor('127.0.0.1:7003')).toMatchObject({ verdict: 'warning', text: expect.stringMatching(/full sync/) });
    expect(moves.targetFor('10.0.0.9:1')?.verdict).toBe('invalid');
  });

  it('ignores candidates for an earlier drag', () => {
    const moves = new MoveState();
    const first = moves.begin('127.0.0.1:7002');
    moves.begin('127.0.0.1:7003');
    moves.loaded(first, CANDIDATES);
    expect(moves.candidates).toBeNull();
  });

  it('tracks the card under the pointer, never the dragged one', () => {
    const moves = new MoveState();
    moves.begin('127.0.0.1:7002');
    moves.hover('127.0.0.1:7002');
    expect(moves.over).toBeNull();
    moves.hover('127.0.0.1:7001');
    expect(moves.over).toBe('127.0.0.1:7001');
  });

  it('plans a drop on a valid target and ends the drag', () => {
    const moves = new MoveState();
    moves.loaded(moves.begin('127.0.0.1:7002'), CANDIDATES);
    expect(moves.drop('127.0.0.1:7003')).toEqual({ kind: 'plan', node: '127.0.0.1:7002', master: '127.0.0.1:7003' });
    expect(moves.active).toBe(false);
    expect(moves.candidates).toBeNull();
    expect(moves.notice).toBeNull();
  });

  it('refuses a drop on an invalid target with its reason, and plans nothing', () => {
    const moves = new MoveState();
    moves.loaded(moves.begin('127.0.0.1:7002'), CANDIDATES);
    expect(moves.drop('127.0.0.1:7000')).toEqual({
      kind: 'refused',
      node: '127.0.0.1:7002',
      target: '127.0.0.1:7000',
      reason: 'already its master',
    });
    expect(moves.notice).toEqual({ node: '127.0.0.1:7002', target: '127.0.0.1:7000', reason: 'already its master' });
    moves.begin('127.0.0.1:7001');
    expect(moves.notice).toBeNull();
  });

  it('cancels a drop on nothing or on itself', () => {
    const moves = new MoveState();
    moves.loaded(moves.begin('127.0.0.1:7002'), CANDIDATES);
    expect(moves.drop(null)).toEqual({ kind: 'none' });
    moves.begin('127.0.0.1:7002');
    expect(moves.drop('127.0.0.1:7002')).toEqual({ kind: 'none' });
  });

  it('leaves the decision to the planner when the candidates could not be read', () => {
    const moves = new MoveState();
    const token = moves.begin('127.0.0.1:7002');
    moves.failed(token, { code: 'NOT_CONNECTED', message: 'not connected' });
    expect(moves.targetFor('127.0.0.1:7000')).toMatchObject({ verdict: 'unchecked', text: expect.stringMatching(/not checked/) });
    expect(moves.drop('127.0.0.1:7000')).toEqual({ kind: 'plan', node: '127.0.0.1:7002', master: '127.0.0.1:7000' });
  });

  it('Escape ends the drag: the drop that follows plans nothing, and the late candidates are dropped', () => {
    const moves = new MoveState();
    const token = moves.begin('127.0.0.1:7002');
    moves.hover('127.0.0.1:7000', { x: 10, y: 10 });
    moves.cancel();
    expect(moves.active).toBe(false);
    expect(moves.targetFor('127.0.0.1:7000')).toBeNull();
    moves.loaded(token, CANDIDATES);
    expect(moves.candidates).toBeNull();
    expect(moves.drop('127.0.0.1:7000')).toEqual({ kind: 'none' });
    expect(moves.notice).toBeNull();
  });
});
