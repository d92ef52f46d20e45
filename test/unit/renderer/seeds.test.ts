import { describe, expect, it } from 'vitest';
import { parseSeed, parseSeeds } from '../../../renderer/src/lib/seeds';

describe('parseSeeds', () => {
  it('splits on commas, spaces and new lines and removes duplicates', () => {
    expect(parseSeeds(' 10.0.0.1:6379, redis-a.example:6380\n10.0.0.1:6379;[::1]:7000 ')).toEqual({
      seeds: ['10.0.0.1:6379', 'redis-a.example:6380', '[::1]:7000'],
      errors: [],
    });
  });
  it('defaults the port to 6379', () => {
    expect(parseSeeds('localhost').seeds).toEqual(['localhost:6379']);
  });
  it('reports each bad token', () => {
    const { seeds, errors } = parseSeeds('good:1 bad:0 ::1:6379 host:abc');
    expect(seeds).toEqual(['good:1']);
    expect(errors).toHaveLength(3);
    expect(errors[1]).toContain('[addr]:port');
  });
  it('rejects malformed IPv6 and host names', () => {
    expect(parseSeed('[::1')).toHaveProperty('error');
    expect(parseSeed('[::1]x')).toHaveProperty('error');
    expect(parseSeed('bad_host!:1')).toHaveProperty('error');
    expect(parseSeed('[fe80::1%eth0]:6379')).toEqual({ address: '[fe80::1%eth0]:6379' });
  });
  it('returns nothing for an empty field', () => {
    expect(parseSeeds('  ,, ')).toEqual({ seeds: [], errors: [] });
  });
});
