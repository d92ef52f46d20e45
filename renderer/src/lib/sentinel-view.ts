// How a Sentinel's view of one master reads in a word and a tone, and how a Sentinel event is
// labelled: shared by the Sentinel card, the details panel and the events timeline.
import type { SentinelMasterView } from '../../../electron/shared/types';
import type { Tone } from './labels';

/** The one thing to say first about a master as a Sentinel sees it. */
export function sentinelMasterState(m: SentinelMasterView): { tone: Tone; text: string } {
  if (m.flags.includes('o_down')) return { tone: 'bad', text: 'O_DOWN' };
  if (m.flags.includes('s_down')) return { tone: 'bad', text: 'S_DOWN' };
  if (m.flags.includes('failover_in_progress') || (m.failoverState !== null && m.failoverState !== 'none')) return { tone: 'sync', text: 'failing over' };
  if (m.ckquorum && !m.ckquorum.ok) return { tone: 'warn', text: 'no quorum' };
  return { tone: 'ok', text: m.quorum === null ? 'ok' : `ok · quorum ${m.quorum}` };
}

/** Tone of a Sentinel event by its name: a state entered (+sdown) or left (-sdown), a failover step. */
export function sentinelEventTone(event: string): Tone {
  if (event === '+sdown' || event === '+odown' || event.startsWith('-failover-abort')) return 'bad';
  if (event === '-sdown' || event === '-odown') return 'ok';
  if (event === '+switch-master') return 'accent';
  if (event.includes('failover') || event === '+elected-leader' || event === '+vote-for-leader' || event === '+promoted-slave' || event === '+selected-slave') return 'sync';
  if (event === '+tilt' || event === '+reboot') return 'warn';
  return 'info';
}
