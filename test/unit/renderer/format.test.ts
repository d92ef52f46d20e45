import { describe, expect, it } from 'vitest';
import {
  MISSING,
  formatBytes,
  formatClock,
  formatInterval,
  formatOffset,
  formatRelativeTime,
  formatSeconds,
  formatUptime,
} from '../../../electron/shared/format';

describe('formatBytes', () => {
  it('prints unknown values as a dash', () => {
    expect(formatBytes(null)).toBe(MISSING);
    expect(formatBytes(undefined)).toBe(MISSING);
    expect(formatBytes(Number.NaN)).toBe(MISSING);
  });
  it('uses binary units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(150 * 1024)).toBe('150 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(2.25 * 1024 ** 3)).toBe('2.3 GiB');
  });
  it('moves up a unit instead of printing 1024.0', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
  });
  it('keeps the sign of negative values', () => {
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
  });
});

describe('formatSeconds', () => {
  it('picks ms, s, min, h and d', () => {
    expect(formatSeconds(null)).toBe(MISSING);
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(0.35)).toBe('350 ms');
    expect(formatSeconds(0.0001)).toBe('1 ms');
    expect(formatSeconds(4.24)).toBe('4.2 s');
    expect(formatSeconds(3)).toBe('3 s');
    expect(formatSeconds(2.98)).toBe('3 s');
    expect(formatSeconds(9.99)).toBe('10 s');
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(180)).toBe('3 min');
    expect(formatSeconds(192)).toBe('3 min 12 s');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(7500)).toBe('2 h 5 min');
    expect(formatSeconds(3 * 86_400 + 4 * 3600)).toBe('3 d 4 h');
  });
});

describe('formatUptime', () => {
  it('counts seconds for the first minute only, then minutes: a card changes it once a minute', () => {
    expect(formatUptime(null)).toBe(MISSING);
    expect([0, 12, 59].map(formatUptime)).toEqual(['0 s', '12 s', '59 s']);
    expect([60, 192, 239, 3599].map(formatUptime)).toEqual(['1 min', '3 min', '3 min', '59 min']);
    expect([7500, 7559, 3 * 86_400 + 4 * 3600 + 59].map(formatUptime)).toEqual(['2 h 5 min', '2 h 5 min', '3 d 4 h']);
  });
});

describe('formatOffset', () => {
  it('groups thousands', () => {
    expect(formatOffset(null)).toBe(MISSING);
    expect(formatOffset(0)).toBe('0');
    expect(formatOffset(999)).toBe('999');
    expect(formatOffset(1000)).toBe('1,000');
    expect(formatOffset(1234567890)).toBe('1,234,567,890');
    expect(formatOffset(-1234)).toBe('-1,234');
  });
});

describe('formatRelativeTime', () => {
  const now = 1_700_000_000_000;
  it('reads like a person would say it', () => {
    expect(formatRelativeTime(null, now)).toBe(MISSING);
    expect(formatRelativeTime(now - 200, now)).toBe('just now');
    expect(formatRelativeTime(now - 5_000, now)).toBe('5 s ago');
    expect(formatRelativeTime(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(formatRelativeTime(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(formatRelativeTime(now - 4 * 86_400_000, now)).toBe('4 d ago');
    expect(formatRelativeTime(now + 5_000, now)).toBe('in 5 s');
  });
});

describe('formatClock and formatInterval', () => {
  it('formats a time of day and a poll interval', () => {
    expect(formatClock(new Date(2024, 0, 2, 3, 4, 5).getTime())).toBe('03:04:05');
    expect(formatClock(null)).toBe(MISSING);
    expect(formatInterval(500)).toBe('500 ms');
    expect(formatInterval(1000)).toBe('1 s');
    expect(formatInterval(2500)).toBe('2.5 s');
  });
});
