import { describe, expect, it } from 'vitest';
import { clean } from '../../electron/cli/output';

describe('clean', () => {
  it('neutralises terminal escapes from server-controlled strings', () => {
    expect(clean('evil\u001b[2J\u001b]0;title\u0007host\u009b')).toBe('evil?[2J?]0;title?host?');
    expect(clean('plain 127.0.0.1:6379')).toBe('plain 127.0.0.1:6379');
  });
});
