// Each integration and e2e test file gets a data directory of its own (REPLICATION_CONSOLE_DATA_DIR,
// inherited by the CLIs and web servers it starts): the topology memory, audit log and journal
// of one file, of an earlier run, or of the developer's own console never leak into another.
// A test that needs a particular directory still sets its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'rc-test-data-'));
process.env.REPLICATION_CONSOLE_DATA_DIR = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
