import { describe, expect, it } from 'vitest';
import { EngineError } from '../../electron/engine/errors';
import { checkTrustPattern, compileTrustedHosts, hostsOf } from '../../electron/engine/trusted-hosts';
import { openTransport } from '../../electron/engine/connection';

describe('trusted hosts', () => {
  it('matches exact names (any case), IPs, wildcards and v4/v6 CIDRs', () => {
    const trusted = compileTrustedHosts(['DB1.internal', '10.1.2.3', '*.db.internal', '192.168.0.0/16', 'fd00::/8', '[::1]']);
    for (const host of ['db1.internal', 'db1.INTERNAL.', '10.1.2.3', 'a.db.internal', 'a.b.db.internal', '192.168.7.9', 'fd12::5', '::1']) {
      expect(trusted.trusts(host), host).toBe(true);
    }
    for (const host of ['db2.internal', '10.1.2.4', 'db.internal', 'evil-db.internal.example', '192.169.0.1', 'fe80::1', '::2']) {
      expect(trusted.trusts(host), host).toBe(false);
    }
  });

  it('never lets a wildcard match an IP, nor a CIDR match a name', () => {
    const trusted = compileTrustedHosts(['*', '10.0.0.0/8']);
    expect(trusted.trusts('anything.example')).toBe(true);
    expect(trusted.trusts('10.9.9.9')).toBe(true);
    expect(compileTrustedHosts(['*.internal']).trusts('10.0.0.1')).toBe(false);
    expect(compileTrustedHosts(['10.0.0.0/8']).trusts('ten.example')).toBe(false);
  });

  it('trusts more hosts once the user\'s Sentinels name them (the master and replicas of the asked group)', async () => {
    const transport = await openTransport({ seeds: [], sentinel: { addresses: ['10.0.0.9:26379'], masterName: 'm' } });
    expect(transport.trusts?.('10.0.0.20')).toBe(false);
    transport.trustAlso?.(hostsOf(['10.0.0.20:6379', '[fd00::5]:6379', 'not an address:x']));
    expect(transport.trusts?.('10.0.0.20')).toBe(true);
    expect(transport.trusts?.('fd00::5')).toBe(true);
    expect(transport.trusts?.('10.0.0.21')).toBe(false);
  });

  it('refuses bad patterns with BAD_ARGUMENT naming them', () => {
    const bad: Array<[string, RegExp]> = [
      ['10.0.0.0/33', /prefix length must be 0–32/],
      ['fd00::/129', /0–128/],
      ['db/8', /not an IP address/],
      ['a b', /expected a host name/],
      ['', /expected a host name/],
      ['*.db$', /wildcard/],
      ['db!', /not a host name/],
    ];
    for (const [pattern, message] of bad) {
      expect(() => checkTrustPattern(pattern), pattern).toThrow(EngineError);
      expect(() => checkTrustPattern(pattern), pattern).toThrow(message);
    }
  });

  it('trusts the seeds, the Sentinels, the address map targets and the given patterns by default', async () => {
    const transport = await openTransport({
      seeds: ['10.0.0.1:6379', 'localhost:6380'],
      sentinel: { addresses: ['10.0.0.9:26379'], masterName: 'm' },
      addressMap: { '172.17.0.2:6379': '127.0.0.5:7000', '172.17.0.3': '127.0.0.6' },
      trustedHosts: ['*.db.internal'],
    });
    const trusts = transport.trusts;
    expect(trusts).toBeDefined();
    for (const host of ['10.0.0.1', 'localhost', '127.0.0.1', '10.0.0.9', '127.0.0.5', '127.0.0.6', 'x.db.internal']) expect(trusts?.(host), host).toBe(true);
    for (const host of ['10.0.0.2', '172.17.0.2', '127.0.0.2']) expect(trusts?.(host), host).toBe(false);
  });
});
