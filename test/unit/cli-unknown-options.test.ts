// The desktop app skips options it does not know (Chromium's switches share its argv); a misspelt
// one of ours, or one that is neither ours nor Chromium's, is named in one line.
import { describe, expect, it } from 'vitest';
import { unknownOptionWarnings } from '../../electron/app/cli-options';

describe('unknownOptionWarnings', () => {
  it('passes our options and Chromium/Electron switches without a word', () => {
    expect(
      unknownOptionWarnings(['--seed', '127.0.0.1:6379', '--lab', '--port=0', '--no-sandbox', '--enable-logging', '--disable-gpu', '--lang=de', '--inspect=9229', '--user-data-dir=/tmp/x', '--', '-h']),
    ).toEqual([]);
  });

  it('names a misspelt option of ours with the one it is close to', () => {
    expect(unknownOptionWarnings(['--sed', 'x', '--pasword=p', '--lba', '--no-opne'])).toEqual([
      'Replication Console: unknown option --sed (did you mean --seed?): ignored',
      'Replication Console: unknown option --pasword (did you mean --password?): ignored',
      'Replication Console: unknown option --lba (did you mean --lab?): ignored',
      'Replication Console: unknown option --no-opne (did you mean --no-open?): ignored',
    ]);
  });

  it("names the command-line tool's options and anything else unknown", () => {
    expect(unknownOptionWarnings(['--json', '--frobnicate'])).toEqual([
      'Replication Console: the app does not take --json (an option of the command-line tool): ignored',
      'Replication Console: unknown option --frobnicate: ignored (not an option of the app, nor a Chromium switch it knows)',
    ]);
  });
});
