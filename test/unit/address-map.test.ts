// --map forms: HOST:PORT=HOST:PORT maps one address, HOST=HOST a host on every port; and a
// replica listed under the address it announces is one node with the one it was reached by.
import { describe, expect, it } from 'vitest';
import { dialAddress, normalizeAddressMap, parseMapEntries } from '../../electron/engine/address-map';
import { NodeSet } from '../../electron/engine/node-set';
import { read } from '../helpers/node-record';

describe('address map', () => {
  it('maps one address exactly, and a host on every port', () => {
    const map = normalizeAddressMap(parseMapEntries(['10.0.0.5:6380=127.0.0.1:7000', '10.0.0.6=localhost', '[fd00::1]=127.0.0.2']));
    expect(dialAddress(map, '10.0.0.5:6380')).toBe('127.0.0.1:7000');
    expect(dialAddress(map, '10.0.0.5:6381')).toBe('10.0.0.5:6381');
    expect(dialAddress(map, '10.0.0.6:6379')).toBe('localhost:6379');
    expect(dialAddress(map, '10.0.0.6:7001')).toBe('localhost:7001');
    expect(dialAddress(map, '[fd00::1]:6379')).toBe('127.0.0.2:6379');
    expect(dialAddress(map, 'elsewhere:1')).toBe('elsewhere:1');
  });

  it('an exact mapping wins over its host mapping', () => {
    const map = normalizeAddressMap({ '10.0.0.5': '127.0.0.1', '10.0.0.5:6380': '127.0.0.3:9000' });
    expect(dialAddress(map, '10.0.0.5:6380')).toBe('127.0.0.3:9000');
    expect(dialAddress(map, '10.0.0.5:6379')).toBe('127.0.0.1:6379');
  });

  it.each([
    ['10.0.0.5', /FROM=TO/],
    ['a=b=c', /FROM=TO/],
    ['=127.0.0.1', /FROM=TO/],
    ['10.0.0.5=127.0.0.1:6379', /both sides as HOST or both as HOST:PORT/],
    ['10.0.0.5:1=127.0.0.1', /both sides as HOST or both as HOST:PORT/],
    ['10.0.0.5:99999=127.0.0.1:1', /invalid port/],
  ])('refuses %s with a clear message', (entry, message) => {
    expect(() => parseMapEntries([entry])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringMatching(message) }));
  });
});

describe('a replica listed under the address it announces', () => {
  it('is one node: the listed address becomes its alias, and a phantom added for it goes', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('m:1', true), { replicas: ['10.9.9.9:7000', 'r2:1'] });
    // The list was read first: both addresses are unknown, the announced one becomes a node.
    expect(nodes.addNeighboursOf(master).map((r) => r.address)).toEqual(['10.9.9.9:7000', 'r2:1']);
    read(nodes.resolve('r2:1')!, { master: 'm:1' });
    const r1 = read(nodes.add('r1:1', true), { master: 'm:1' });
    const gone = nodes.forgetVanished({ now: Date.now(), forgetAfterMs: 60_000, intervalMs: 1000 });
    expect(gone.map((r) => r.address)).toEqual(['10.9.9.9:7000']);
    expect(nodes.resolve('10.9.9.9:7000')).toBe(r1);
    expect(nodes.all().map((r) => r.address).sort()).toEqual(['m:1', 'r1:1', 'r2:1']);
  });

  it('is left alone when two replicas are missing from the list: which is which cannot be told', () => {
    const nodes = new NodeSet(10);
    read(nodes.add('m:1', true), { replicas: ['10.9.9.9:7000'] });
    read(nodes.add('r1:1', true), { master: 'm:1' });
    read(nodes.add('r2:1', true), { master: 'm:1' });
    nodes.forgetVanished({ now: Date.now(), forgetAfterMs: 60_000, intervalMs: 1000 });
    expect(nodes.resolve('10.9.9.9:7000')).toBeUndefined();
  });
});
