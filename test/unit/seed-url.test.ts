import { describe, expect, it } from 'vitest';
import { checkSeed, isSeedUrl, parseSeed, redactSeed, SeedError } from '../../electron/shared/seed-url';

describe('parseSeed: plain addresses', () => {
  it('reads host:port, a bare host (port 6379) and IPv6 with or without brackets', () => {
    expect(parseSeed('10.0.0.1:6380')).toEqual({ address: '10.0.0.1:6380', tls: false });
    expect(parseSeed(' redis.internal ')).toEqual({ address: 'redis.internal:6379', tls: false });
    expect(parseSeed('[::1]:7000')).toEqual({ address: '[::1]:7000', tls: false });
    expect(parseSeed('[2001:DB8::1]')).toEqual({ address: '[2001:db8::1]:6379', tls: false });
    expect(parseSeed('::1')).toEqual({ address: '[::1]:6379', tls: false });
    expect(parseSeed('[::ffff:10.0.0.1]:6379').address).toBe('[::ffff:10.0.0.1]:6379');
  });

  it('refuses bad ports, empty hosts, bad names and credentials outside a URL', () => {
    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['host:0', /invalid port "0"/],
      ['host:65536', /invalid port/],
      ['host:abc', /invalid port/],
      [':6379', /no host/],
      ['999.1.1.1:6379', /not a host name/],
      ['bad host:6379', /not a host name/],
      ['[zz::1]:6379', /not an IPv6 address/],
      ['1:2:3:4:5:6:7:8:9', /IPv6/],
      ['user:secret@host:6379', /goes in a URL/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseSeed(text), text).toThrow(SeedError);
      expect(() => parseSeed(text), text).toThrow(message);
    }
  });
});

describe('parseSeed: redis:// and rediss:// URLs', () => {
  it('takes the user, the password and TLS out of the URL', () => {
    expect(parseSeed('redis://alice:s3cret@db1.internal:6380/0')).toEqual({
      address: 'db1.internal:6380',
      user: 'alice',
      password: 's3cret',
      tls: false,
    });
    expect(parseSeed('rediss://db1.internal')).toEqual({ address: 'db1.internal:6379', tls: true });
    expect(parseSeed('REDISS://[::1]:6390/')).toEqual({ address: '[::1]:6390', tls: true });
  });

  it('knows the password-only form, the user-only form and %-escapes', () => {
    expect(parseSeed('redis://:pw@h:1')).toEqual({ address: 'h:1', password: 'pw', tls: false });
    expect(parseSeed('redis://monitor@h:1')).toEqual({ address: 'h:1', user: 'monitor', tls: false });
    expect(parseSeed('redis://u%40corp:p%3Aw%2F@h:1').user).toBe('u@corp');
    expect(parseSeed('redis://u%40corp:p%3Aw%2F@h:1').password).toBe('p:w/');
    // An unencoded "@" or "/" in the password: the last "@" ends the user info.
    expect(parseSeed('redis://u:a@b/c@h:1/2')).toEqual({ address: 'h:1', user: 'u', password: 'a@b/c', tls: false });
  });

  it('refuses other schemes, options, bad paths and never shows the password in an error', () => {
    const bad: Array<[string, RegExp]> = [
      ['http://h:1', /unsupported scheme "http:\/\/"/],
      ['redis://u:topsecret@h:1?ssl=true', /URL options/],
      ['redis://u:topsecret@h:1/db', /database number/],
      ['redis://u:topsecret@:1', /no host/],
      ['redis://u:topsecret@h:99999', /invalid port/],
      ['redis://u:top%ZZsecret@h:1', /malformed %-escape/],
      // Not URLs at all, so nothing says which part is the password: all before the "@" is hidden.
      ['redis//:topsecret@h:1', /a user or password goes in a URL/],
      ['redis:/:topsecret@h:1', /a user or password goes in a URL/],
      ['topsecret@h:1', /a user or password goes in a URL/],
    ];
    for (const [text, message] of bad) {
      let caught: unknown;
      try {
        parseSeed(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(SeedError);
      expect((caught as Error).message, text).toMatch(message);
      expect((caught as Error).message, text).not.toContain('topsecret');
      expect((caught as Error).message, text).not.toContain('top%ZZsecret');
    }
  });
});

describe('helpers', () => {
  it('checkSeed returns the reason or null; redactSeed hides only the password', () => {
    expect(checkSeed('h:1')).toBeNull();
    expect(checkSeed('h:0')).toMatch(/invalid port/);
    expect(redactSeed('rediss://alice:s3cret@h:1/0')).toBe('rediss://alice:***@h:1/0');
    expect(redactSeed('redis://alice@h:1')).toBe('redis://alice@h:1');
    expect(redactSeed('h:1')).toBe('h:1');
    expect(redactSeed('redis//:s3cret@h:1')).toBe('***@h:1');
    expect(redactSeed('s3c@ret@h:1')).toBe('***@h:1');
    expect(isSeedUrl('rediss://h')).toBe(true);
    expect(isSeedUrl('h:1')).toBe(false);
  });
});
