// Sentinels as the entry point: ask them, one after the other until one knows the master name,
// where the master is, which replicas it has and which other Sentinels watch it. Discovery then
// starts from those nodes as it would from seeds.
import type { ClientRegistry } from './client-registry';
import type { ErrorCode } from '../shared/types';
import { classifyError, EngineError } from './errors';
import { parseInfo, parseServer } from './info-parser';
import { instanceAddress, parseInstances, parseMasterAddr } from './sentinel-parser';

export interface SentinelEntry {
  /** The Sentinel that answered. */
  answeredBy: string;
  master: string;
  replicas: string[];
  sentinels: string[];
}

type Reply = [Error | null, unknown];

type Answer =
  | { kind: 'found'; entry: SentinelEntry }
  | { kind: 'unknown-name'; monitors: string[] }
  | { kind: 'data-node'; role: string }
  | { kind: 'failed'; reason: string; code: ErrorCode };

/**
 * Ask every Sentinel at once (by its address; `dialOf` applies the address map) for `masterName`:
 * the first that knows it answers, so a stalled Sentinel costs nothing while another answers.
 * Rejects with an error naming what each one said: the names it monitors, that it is a data
 * node, or why it could not be reached.
 */
export async function askSentinels(
  registry: ClientRegistry,
  addresses: readonly string[],
  masterName: string,
  dialOf: (address: string) => string,
): Promise<SentinelEntry> {
  const asked = await firstFound(addresses.map((address) => askOne(registry, address, dialOf(address), masterName)));
  if (!Array.isArray(asked)) return asked;
  const answers = addresses.map((address, i): [string, Answer] => [address, asked[i] as Answer]);
  const unknown = answers.flatMap(([a, x]) => (x.kind === 'unknown-name' ? [`${a} monitors ${x.monitors.length > 0 ? x.monitors.join(', ') : 'no master at all'}`] : []));
  const data = answers.flatMap(([a, x]) => (x.kind === 'data-node' ? [`${a} is a data node (${x.role}), not a Sentinel: give it as a seed, not with --sentinel`] : []));
  // Connection errors name the address already ("127.0.0.1:26379: connection refused …").
  const failed = answers.flatMap(([a, x]) => (x.kind === 'failed' ? [x.reason.startsWith(a) ? x.reason : `${a}: ${x.reason}`] : []));
  const codes = new Set(answers.flatMap(([, x]) => (x.kind === 'failed' ? [x.code] : [])));
  // A name or an address the user got wrong: bad input (exit 2), not "not a data node".
  if (unknown.length > 0) {
    throw new EngineError(
      'BAD_ARGUMENT',
      `No Sentinel monitors a master named "${masterName}": ${unknown.join('; ')}. Give one of those names with --master-name` +
        (data.length + failed.length > 0 ? ` (and: ${[...data, ...failed].join('; ')})` : ''),
    );
  }
  if (data.length > 0) throw new EngineError('BAD_ARGUMENT', [...data, ...failed].join('; '));
  // Every Sentinel refused the credentials (or timed out, …): that is the error, not "unreachable".
  const [only] = codes;
  const code = codes.size === 1 && only !== undefined ? only : 'UNREACHABLE';
  throw new EngineError(code, `No Sentinel could be reached: ${failed.join('; ')}`);
}

/** The first answer that found the master, or every answer (in order) when none did. */
function firstFound(asking: Promise<Answer>[]): Promise<SentinelEntry | Answer[]> {
  return new Promise((resolve) => {
    const answers: Answer[] = new Array<Answer>(asking.length);
    let left = asking.length;
    if (left === 0) resolve([]);
    asking.forEach((ask, i) => {
      void ask.then((answer) => {
        if (answer.kind === 'found') resolve(answer.entry);
        answers[i] = answer;
        if (--left === 0) resolve(answers);
      });
    });
  });
}

async function askOne(registry: ClientRegistry, address: string, dial: string, masterName: string): Promise<Answer> {
  try {
    return await registry.run(dial, async (client) => {
      const replies = ((await client
        .pipeline()
        .call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)
        .call('SENTINEL', 'REPLICAS', masterName)
        .call('SENTINEL', 'SENTINELS', masterName)
        .call('SENTINEL', 'MASTERS')
        .info('server')
        .info('replication')
        .exec()) ?? []) as Reply[];
      const [addr, replicas, sentinels, masters, server, replication] = replies;
      if (addr?.[0] && !/unknown command/i.test(addr[0].message)) {
        // NOAUTH, WRONGPASS, NOPERM: said in the console's words, with the address.
        return failure(classifyError(addr[0], address), address);
      }
      if (addr?.[0]) {
        // "ERR unknown command 'SENTINEL'": a data node answered.
        const mode = typeof server?.[1] === 'string' ? parseServer(parseInfo(server[1]).fields).mode : null;
        if (mode !== 'sentinel') {
          const role = typeof replication?.[1] === 'string' ? (/^role:(\w+)/m.exec(replication[1])?.[1] ?? 'unknown role') : 'unknown role';
          return { kind: 'data-node', role: role === 'slave' ? 'a replica' : role === 'master' ? 'a master' : role };
        }
        return failure(classifyError(addr[0], address), address);
      }
      const master = parseMasterAddr(addr?.[1]);
      if (!master) {
        const names = Array.isArray(masters?.[1]) ? parseInstances(masters[1]).map((m) => m.name ?? '').filter((n) => n.length > 0) : [];
        return { kind: 'unknown-name', monitors: names };
      }
      const listed = (reply: Reply | undefined): string[] => parseInstances(reply?.[1]).flatMap((f) => addressOrEmpty(f));
      return {
        kind: 'found',
        entry: { answeredBy: address, master, replicas: listed(replicas), sentinels: listed(sentinels) },
      };
    });
  } catch (error) {
    return failure(classifyError(error, address), address);
  }
}

/** A Sentinel's refusal, with the Sentinel's own credential options named (not the data nodes'). */
function failure(error: EngineError, address: string): Answer {
  if (error.code !== 'AUTH_FAILED') return { kind: 'failed', reason: error.message, code: error.code };
  return { kind: 'failed', reason: sentinelAuthMessage(error.message, address), code: error.code };
}

/** An AUTH failure of a Sentinel explained with --sentinel-password / --sentinel-user. */
export function sentinelAuthMessage(message: string, address: string): string {
  if (/requires a password|NOAUTH/i.test(message)) {
    return `${address} (dialled as a Sentinel) requires a password of its own: give --sentinel-password (and --sentinel-user for an ACL user)`;
  }
  return `${address} (dialled as a Sentinel) refused the Sentinel credentials (wrong --sentinel-user or --sentinel-password)`;
}

function addressOrEmpty(fields: Record<string, string>): string[] {
  const address = instanceAddress(fields);
  return address ? [address] : [];
}

