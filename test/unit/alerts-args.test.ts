// `--alert NAME=VALUE` (watch --alerts, serve) and watch's own options: the names, units and the
// usage errors a user sees.
import { describe, expect, it } from 'vitest';
import { ALERT_ARG_NAMES, describeAlertThresholds, parseAlertThresholdArgs } from '../../electron/app/alert-args';
import { DEFAULT_ALERT_THRESHOLDS } from '../../electron/engine/alerts';
import { watchOptions } from '../../electron/cli/main';
import { UsageError } from '../../electron/app/options';

describe('parseAlertThresholdArgs', () => {
  it('maps every name to its field, with Redis size units and time units', () => {
    expect(
      parseAlertThresholdArgs([
        'lag-bytes=10mb',
        'lag-seconds=1.5',
        'link-down-seconds=500ms',
        'unreachable-seconds=2min',
        'stale-seconds=30s',
        'backlog-short-seconds=1h',
        'for-seconds=0',
      ]),
    ).toEqual({ lagBytes: 10 * 1024 * 1024, lagSeconds: 1.5, linkDownSeconds: 0.5, unreachableSeconds: 120, staleSeconds: 30, backlogShortSeconds: 3600, forSeconds: 0 });
    expect(parseAlertThresholdArgs(['lag-bytes=1k'])).toEqual({ lagBytes: 1000 });
    expect(parseAlertThresholdArgs(['lag-bytes=512KB'])).toEqual({ lagBytes: 524_288 });
    expect(parseAlertThresholdArgs(['LAG-BYTES = 100 '])).toEqual({ lagBytes: 100 });
    expect(parseAlertThresholdArgs([])).toEqual({});
    expect(Object.keys(ALERT_ARG_NAMES)).toHaveLength(Object.keys(DEFAULT_ALERT_THRESHOLDS).length);
  });

  it('usage errors: unknown name with the list, bad number or unit, out of range, twice, no =', () => {
    const error = (args: string[]): string => {
      try {
        parseAlertThresholdArgs(args);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error(['lag=5'])).toBe('--alert: unknown threshold "lag"; the names are lag-bytes, lag-seconds, link-down-seconds, unreachable-seconds, stale-seconds, backlog-short-seconds, for-seconds');
    expect(error(['lag-bytes'])).toMatch(/^--alert takes NAME=VALUE, not "lag-bytes"/);
    expect(error(['lag-bytes=ten'])).toBe('--alert lag-bytes=ten: "ten" is not a size: a whole number of bytes, or with a unit (512kb, 10mb, 1gb)');
    expect(error(['lag-bytes=1.5'])).toMatch(/is not a size/);
    expect(error(['lag-bytes=-1'])).toMatch(/is not a size/);
    expect(error(['lag-seconds=NaN'])).toMatch(/"NaN" is not a duration: seconds, or with a unit \(500ms, 30s, 5min, 1h\)/);
    expect(error(['lag-seconds=5d'])).toMatch(/is not a duration/);
    expect(error(['for-seconds=2h'])).toBe('--alert for-seconds=2h: at most 1 h (3600 s)');
    expect(error(['lag-seconds=1', 'lag-seconds=2'])).toBe('--alert lag-seconds is given twice');
  });

  it('describes thresholds with the same names', () => {
    expect(describeAlertThresholds(DEFAULT_ALERT_THRESHOLDS)).toBe(
      'lag-bytes 10.0 MiB, lag-seconds 10 s, link-down-seconds 10 s, unreachable-seconds 10 s, stale-seconds 10 s, backlog-short-seconds 1 min, for-seconds 0 s',
    );
  });
});

describe('watch options', () => {
  it('--alerts with thresholds, --duration in seconds, and the combinations refused', () => {
    expect(watchOptions({ alerts: true, alert: ['lag-bytes=1mb'], duration: '2.5' }, 'json')).toEqual({
      format: 'json',
      problemsOnly: false,
      alerts: { lagBytes: 1024 * 1024 },
      durationMs: 2500,
    });
    expect(watchOptions({ duration: '20' }, 'table')).toMatchObject({ alerts: null, durationMs: 20_000 });
    expect(watchOptions({}, 'table')).toMatchObject({ alerts: null, durationMs: null });
    expect(() => watchOptions({ alert: ['lag-bytes=1'] }, 'table')).toThrow('--alert NAME=VALUE sets a threshold of --alerts: add --alerts');
    expect(() => watchOptions({ alerts: true, problems: true }, 'table')).toThrow(/--problems is for the table/);
    for (const bad of ['0', '-1', 'soon', '1e3', '']) expect(() => watchOptions({ duration: bad }, 'table'), bad).toThrow(/--duration takes a number of seconds/);
  });
});
