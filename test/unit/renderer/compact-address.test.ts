import { describe, expect, it } from 'vitest';
import { compactAddress } from '../../../renderer/src/lib/labels';

describe('compactAddress (a card\'s address)', () => {
  it('keeps a long host name\'s first label and the port: two hosts of one domain stay apart (both read "redis-replica-n…")', () => {
    const a = 'redis-replica-number-02.payments-primary-cluster.eu-west-1.prod.internal.example.com:6379';
    const b = 'redis-replica-number-03.payments-primary-cluster.eu-west-1.prod.internal.example.com:6379';
    expect(compactAddress(a)).toBe('redis-…r-02:6379');
    expect(compactAddress(b)).toBe('redis-…r-03:6379');
    // A first label that fits is kept whole, the domain left out.
    expect(compactAddress('db-7.payments.eu-west-1.example.com:6379')).toBe('db-7…:6379');
  });

  it('leaves an address that fits as it is', () => {
    expect(compactAddress('127.0.0.1:6379')).toBe('127.0.0.1:6379');
    expect(compactAddress('127.0.0.1:38199')).toBe('127.0.0.1:38199');
    expect(compactAddress('db.example:6380')).toBe('db.example:6380');
  });
});
