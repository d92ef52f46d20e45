// Node claims: the lock that keeps two consoles on this machine (two CLIs, a CLI beside the
// web mode or the desktop app) from running plans on the same nodes at once. A running plan
// holds one file per node in <data dir>/journal/claims/, made with link() so it appears whole
// or not at all and only one process can make it. A claim whose process is gone (kill -9) is
// taken over: the interrupted-plan report already tells the operator about that plan.
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActionInterface } from '../../shared/actions';
import { JOURNAL_DIR } from './journal';

export const CLAIMS_DIR = 'claims';

/** Who holds a node: written in the claim, shown to the console that is refused. */
export interface ClaimOwner {
  planId: string;
  summary: string;
  pid: number;
  host: string;
  user: string;
  interface: ActionInterface;
  at: number;
}

/** True when the owner's process runs on this host (EPERM: it exists but is someone else's). */
export function ownerAlive(owner: Pick<ClaimOwner, 'pid' | 'host'>, host = os.hostname()): boolean {
  if (owner.host !== host || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type ClaimResult = { held: HeldClaims; busy: null } | { held: null; busy: ClaimOwner };

/** Claims this process holds; release() removes those still ours. */
export class HeldClaims {
  constructor(
    private readonly files: string[],
    private readonly planId: string,
  ) {}

  async release(): Promise<void> {
    for (const file of this.files.splice(0)) {
      const owner = await readClaim(file);
      if (owner !== 'missing' && owner?.planId !== this.planId) continue;
      await rm(file, { force: true }).catch(() => undefined);
    }
  }
}

/** The claims of one data directory. */
export class NodeClaims {
  readonly dir: string;

  constructor(dataDirectory: string) {
    this.dir = path.join(dataDirectory, JOURNAL_DIR, CLAIMS_DIR);
  }

  /** The claim file of one node address. */
  fileOf(address: string): string {
    return path.join(this.dir, `${createHash('sha256').update(address).digest('hex').slice(0, 32)}.claim`);
  }

  /**
   * Claim every node for `owner`, or none: the first node held by a live process makes it
   * busy (the claims taken so far are given back). Nodes go in sorted order.
   */
  async take(nodes: readonly string[], owner: ClaimOwner): Promise<ClaimResult> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const files: string[] = [];
    const body = `${JSON.stringify(owner)}\n`;
    for (const address of [...new Set(nodes)].sort()) {
      const file = this.fileOf(address);
      const busy = await this.claimOne(file, body);
      if (busy) {
        await new HeldClaims(files, owner.planId).release();
        return { held: null, busy };
      }
      files.push(file);
    }
    return { held: new HeldClaims(files, owner.planId), busy: null };
  }

  /** The live owner of any of these nodes other than this process, or null (reads only). */
  async holder(nodes: readonly string[], exceptPid: number | null = null): Promise<ClaimOwner | null> {
    for (const address of [...new Set(nodes)].sort()) {
      const owner = await readClaim(this.fileOf(address));
      if (owner && owner !== 'missing' && owner.pid !== exceptPid && ownerAlive(owner)) return owner;
    }
    return null;
  }

  /** Make one claim; the live owner that holds it instead, or null once it is ours. */
  private async claimOne(file: string, body: string): Promise<ClaimOwner | null> {
    // Written whole to a private name first: link() then makes the claim at once or fails if
    // one exists, so no one ever reads a half-written claim.
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temp, body, { mode: 0o600 });
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await link(temp, file);
          return null;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const other = await readClaim(file);
        if (other === 'missing') continue; // given back meanwhile
        if (other && ownerAlive(other)) return other;
        const live = await takeOver(file);
        if (live) return live;
      }
      const other = await readClaim(file);
      if (other && other !== 'missing') return other;
      throw new Error(`could not claim ${path.basename(file)}: it keeps changing`);
    } finally {
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

/**
 * Move a dead owner's claim aside. Only one process can move a given file; if what was moved
 * turns out to be a live claim made meanwhile, it is put back and its owner returned.
 */
async function takeOver(file: string): Promise<ClaimOwner | null> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const moved = await readClaim(aside);
    if (moved && moved !== 'missing' && ownerAlive(moved)) {
      await link(aside, file).catch(() => undefined);
      const now = await readClaim(file);
      return now && now !== 'missing' ? now : moved;
    }
    return null;
  } finally {
    await rm(aside, { force: true }).catch(() => undefined);
  }
}

/** A claim's owner; null when the file is unreadable (taken over as stale), 'missing' when there is none. */
async function readClaim(file: string): Promise<ClaimOwner | null | 'missing'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return null;
  }
  try {
    const owner = JSON.parse(text) as Partial<ClaimOwner>;
    if (typeof owner.planId !== 'string' || typeof owner.pid !== 'number' || typeof owner.host !== 'string') return null;
    return owner as ClaimOwner;
  } catch {
    return null;
  }
}
