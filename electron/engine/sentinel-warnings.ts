// What the Sentinels watching this topology say is wrong, from the finished node states: a
// Sentinel the console cannot reach, a group that could not authorise a failover, Sentinels
// whose master is not the one replication says, and a master Sentinel holds down (a failover
// follows, or is under way). One warning per master name, naming the Sentinels that say so.
import type { NodeState, SentinelMasterView, TopologyWarning } from '../shared/types';
import { sentinelAuthMessage } from './sentinel-entry';
import { nodesByAddress } from '../shared/node-index';
import { pingRefusal } from './write-hazards';
import { addToGroup } from '../shared/group';

interface Said {
  sentinel: NodeState;
  view: SentinelMasterView;
}

export function sentinelWarnings(states: readonly NodeState[]): TopologyWarning[] {
  const sentinels: NodeState[] = [];
  for (const s of states) if (s.role === 'sentinel') sentinels.push(s);
  if (sentinels.length === 0) return [];
  const byAddress = nodesByAddress(states);
  const out: TopologyWarning[] = [];
  const down = sentinels.filter((s) => !s.reachable);
  for (const s of down) {
    out.push({
      code: 'SENTINEL_UNREACHABLE',
      message:
        `Sentinel ${s.address} cannot be reached (${s.error?.code === 'AUTH_FAILED' ? sentinelAuthMessage(s.error.message, s.address) : (s.error?.message ?? 'no answer')}): the console misses its view and its events. ` +
        `If it is down, fewer Sentinels are left to agree that a master failed and to elect a failover leader: start it again, or remove it with SENTINEL RESET on the others`,
      nodes: [s.address],
    });
  }
  const byName = new Map<string, Said[]>();
  for (const sentinel of sentinels) {
    if (!sentinel.reachable) continue;
    for (const view of sentinel.sentinel?.masters ?? []) addToGroup(byName, view.name, { sentinel, view });
  }
  for (const [name, said] of byName) {
    out.push(...noQuorum(name, said, down), ...sentinelDown(name, said, byAddress), ...disagrees(name, said, byAddress));
  }
  return out;
}

const list = (said: readonly Said[]): string => said.map((x) => x.sentinel.address).join(', ');

/**
 * The Sentinels that answer cannot fail their master over on their own now: each says so
 * (SENTINEL CKQUORUM fails). One rule for the warnings and the plans: with too few of them left
 * it cannot, whatever the others did while they ran.
 */
export function cannotFailOver(ckquorums: readonly ({ ok: boolean } | null)[]): boolean {
  return ckquorums.length > 0 && ckquorums.every((c) => c !== null && !c.ok);
}

function noQuorum(name: string, said: readonly Said[], down: readonly NodeState[]): TopologyWarning[] {
  const failing = said.filter((x) => x.view.ckquorum?.ok === false);
  const first = failing[0];
  if (!first) return [];
  const missing = down.length > 0 ? ` The console cannot reach ${down.map((s) => s.address).join(', ')}.` : '';
  return [
    {
      code: 'SENTINEL_NO_QUORUM',
      message:
        `Sentinels of "${name}" could not fail over if its master died: SENTINEL CKQUORUM on ${list(failing)} says "${first.view.ckquorum?.message ?? ''}".${missing} ` +
        `Start the Sentinels that are down (a majority of all Sentinels of "${name}" must be up to elect a leader, and quorum ${first.view.quorum ?? '?'} must agree the master is down), ` +
        `or lower the quorum with SENTINEL SET ${name} quorum N`,
      nodes: failing.map((x) => x.sentinel.address),
    },
  ];
}

/**
 * A master the console reads but whose disk fails: it answers Sentinel's PING with MISCONF, which
 * Sentinel takes for down. "Look at the network" sent on-call the wrong way while the failover
 * came, and the master it demotes cannot sync back while its disk fails.
 */
function refusesPing(master: NodeState | undefined): { why: string; fix: string } | null {
  if (!master?.reachable || master.role !== 'master') return null;
  const refusal = pingRefusal(master.settings, master.load);
  if (!refusal) return null;
  const why =
    `${master.address} answers the console, but ${refusal.certain ? 'refuses' : 'probably refuses'} Sentinel's PING with MISCONF: ${refusal.cause}, and Sentinel takes that reply for down. ` +
    `Once failed over, ${master.address} cannot come back as a replica while its disk fails (a full sync writes an RDB file first; on 7.0+ a replica stops at the first write it cannot save)`;
  return { why, fix: refusal.fix };
}

function sentinelDown(name: string, said: readonly Said[], byAddress: ReadonlyMap<string, NodeState>): TopologyWarning[] {
  const failingOver = said.filter((x) => x.view.flags.includes('failover_in_progress'));
  const odown = said.filter((x) => x.view.flags.includes('o_down'));
  const sdown = said.filter((x) => x.view.flags.includes('s_down'));
  const master = said.map((x) => x.view.address).find((a) => a !== null) ?? '?';
  const nodes = (group: readonly Said[]): string[] => [...new Set([master, ...group.map((x) => x.sentinel.address)])].filter((a) => a !== '?');
  const leader = said.map((x) => x.view.leader).find((l) => l !== null);
  const misconf = refusesPing(byAddress.get(master));
  if (failingOver.length > 0) {
    const state = failingOver.map((x) => x.view.failoverState).find((f) => f !== null) ?? 'under way';
    return [
      {
        code: 'SENTINEL_DOWN',
        message:
          `Sentinel failover of "${name}" in progress (${state}${leader ? `, led by ${leader}` : ''}; master was ${master}), seen by ${list(failingOver)}: ` +
          `Sentinel promotes a replica and re-points the others. Do not change replication by hand until +switch-master; the events timeline shows each step` +
          (misconf ? `. ${misconf.why}: fix its disk` : ''),
        nodes: nodes(failingOver),
      },
    ];
  }
  if (odown.length > 0) {
    return [
      {
        code: 'SENTINEL_DOWN',
        message:
          `"${name}"'s master ${master} is objectively down (o_down) for ${list(odown)}: enough Sentinels agree it failed, and one of them is about to fail over to a replica. ` +
          `Do not promote a replica by hand meanwhile: Sentinel would undo it` +
          (misconf ? `. ${misconf.why}` : ''),
        nodes: nodes(odown),
      },
    ];
  }
  if (sdown.length > 0) {
    const quorum = sdown[0]?.view.quorum;
    return [
      {
        code: 'SENTINEL_DOWN',
        message:
          `"${name}"'s master ${master} is subjectively down (s_down) for ${list(sdown)}: ${sdown.length === 1 ? 'it gets' : 'they get'} no valid reply from it. ` +
          `Once ${quorum ?? 'the quorum of'} Sentinels agree it is objectively down and Sentinel fails over; ` +
          (misconf
            ? `${misconf.why}. To keep it the master, before they agree: ${misconf.fix}`
            : `if it answers the console, look at the network between it and ${sdown.length === 1 ? 'that Sentinel' : 'those Sentinels'}`),
        nodes: nodes(sdown),
      },
    ];
  }
  return [];
}

function disagrees(name: string, said: readonly Said[], byAddress: ReadonlyMap<string, NodeState>): TopologyWarning[] {
  // A failover or a down master moves the address on purpose: SENTINEL_DOWN explains that moment.
  if (said.some((x) => x.view.flags.some((f) => f === 'failover_in_progress' || f === 'o_down' || f === 's_down'))) return [];
  const claims = new Map<string, Said[]>();
  for (const x of said) {
    if (x.view.address !== null) addToGroup(claims, x.view.address, x);
  }
  if (claims.size > 1) {
    const parts = [...claims].map(([address, group]) => `${list(group)} ${group.length === 1 ? 'says' : 'say'} ${address}`);
    return [
      {
        code: 'SENTINEL_DISAGREES',
        message:
          `Sentinels disagree on where "${name}"'s master is: ${parts.join('; ')}. Clients asking different Sentinels reach different masters. ` +
          `A Sentinel cut off from the others (network, a different configuration epoch) does this: check it can reach the other Sentinels, or SENTINEL RESET ${name} on it`,
        nodes: [...new Set([...claims.keys(), ...said.map((x) => x.sentinel.address)])],
      },
    ];
  }
  const [address, group] = [...claims][0] ?? [];
  const node = address ? byAddress.get(address) : undefined;
  if (!address || !group || !node?.reachable || node.role !== 'replica') return [];
  return [
    {
      code: 'SENTINEL_DISAGREES',
      message:
        `${list(group)} ${group.length === 1 ? 'says' : 'say'} "${name}"'s master is ${address}, but replication says ${address} is a replica of ${node.master ?? '?'}. ` +
        `Clients asking Sentinel are sent to a replica. Sentinel re-points nodes to match its own view within seconds; if replication was changed by hand, use SENTINEL FAILOVER ${name} instead`,
      nodes: [address, ...(node.master ? [node.master] : []), ...group.map((x) => x.sentinel.address)],
    },
  ];
}
