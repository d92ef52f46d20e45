// writeFileAtomic and moveAside on a real directory: the file is replaced whole or not at all,
// created with the mode asked whatever the umask, and nothing set aside is ever overwritten.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveAside, writeFileAtomic } from '../../electron/app/atomic-file';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the file whole, with the mode asked even under umask 000, and leaves no temp file', () => {
    const file = path.join(dir, 'profiles.json');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    const previous = process.umask(0o000);
    try {
      writeFileAtomic(file, 'new text\n');
    } finally {
      process.umask(previous);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('new text\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['profiles.json']);
  });

  it('leaves the old file as it was, and no temp file, when the new one cannot be put in place', () => {
    // A non-empty directory where the file goes: the rename fails after the temp file was written.
    const target = path.join(dir, 'settings.json');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'kept');
    expect(() => writeFileAtomic(target, '{"version":1}')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
    expect(fs.readFileSync(path.join(target, 'inside'), 'utf8')).toBe('kept');
  });

  it('creates the data directory when it is missing', () => {
    const file = path.join(dir, 'a', 'b', 'settings.json');
    writeFileAtomic(file, 'x');
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });
});

describe('moveAside', () => {
  it('never overwrites a file set aside before in the same millisecond', () => {
    const file = path.join(dir, 'profiles.json');
    fs.writeFileSync(file, 'first');
    const a = moveAside(file, 5);
    fs.writeFileSync(file, 'second');
    const b = moveAside(file, 5);
    expect(a).toBe(`${file}.corrupt-5`);
    expect(b).toBe(`${file}.corrupt-5-1`);
    expect(fs.readFileSync(a, 'utf8')).toBe('first');
    expect(fs.readFileSync(b, 'utf8')).toBe('second');
    expect(fs.existsSync(file)).toBe(false);
  });
});
