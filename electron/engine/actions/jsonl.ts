// Durable JSON Lines files (the audit log, the plan journal). A crash can tear the last line
// of such a file; the next record must still start on a line of its own, reach the disk
// before the caller goes on, and a torn line must be reported when the file is read back,
// never silently dropped.
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A line that is not a JSON object: a record torn by a crash mid-append, or foreign text. */
export interface UnreadableLine {
  /** 1-based line number in the file. */
  line: number;
  /** The start of the line, for the report (at most 80 characters). */
  excerpt: string;
}

export interface JsonlContent<T> {
  records: T[];
  unreadable: UnreadableLine[];
}

const EXCERPT_CHARS = 80;

/**
 * Append one record as a line of its own and fsync it. When the file does not end with a
 * newline (the previous writer died mid-line), the torn line is closed first, so the new
 * record is never glued onto it.
 */
export async function appendRecord(file: string, record: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(`${prefix}${JSON.stringify(record)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Every line that parses as a JSON object, and every one that does not; a missing file is empty. */
export async function readRecords<T>(file: string): Promise<JsonlContent<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], unreadable: [] };
    throw error;
  }
  const records: T[] = [];
  const unreadable: UnreadableLine[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        records.push(value as T);
        return;
      }
    } catch {
      // Reported below.
    }
    unreadable.push({ line: index + 1, excerpt: line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line });
  });
  return { records, unreadable };
}
