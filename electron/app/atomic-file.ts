// Small JSON files in the data directory (profiles, settings, stored secrets) are replaced
// whole, never edited in place: a crash or a full disk mid-write must leave the old file or
// the new one, not half of each. And a file that cannot be read is moved aside, never
// overwritten, so whatever it held can still be recovered by hand.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Write `text` to `file` atomically: a temp file in the same directory (created with `mode`),
 * fsynced, renamed over the file, then the directory fsynced so the rename itself is durable.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    // 'wx': a stale temp file of the same name is an error, never reused with its old mode.
    fd = fs.openSync(temp, 'wx', mode);
    // The umask may have taken bits off; never more than asked is ever given.
    fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, file);
  } catch (error) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  syncDir(dir);
}

/** fsync a directory so a rename in it survives a crash (not possible on Windows; skipped there). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Move an unreadable file aside as `<file>.corrupt-<time>`; returns the new path. Throws when it cannot. */
export function moveAside(file: string, now = Date.now()): string {
  let aside = `${file}.corrupt-${now}`;
  // Two files set aside in the same millisecond must not overwrite each other.
  for (let n = 1; fs.existsSync(aside); n++) aside = `${file}.corrupt-${now}-${n}`;
  fs.renameSync(file, aside);
  syncDir(path.dirname(file));
  return aside;
}

/** The file's text, or null when it does not exist. Other errors (permissions, a directory) throw. */
export function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** An fs error's message in one line, without a stack. */
export function fsMessage(error: unknown): string {
  if (error instanceof Error) return (error.message.split('\n')[0] ?? '').trim() || error.name;
  return String(error);
}
