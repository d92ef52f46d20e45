// Drag-and-drop re-pointing: which card is being dragged, what the engine says about every
// other node as its new master, which card the pointer is over, and what a drop means.
/* eslint-disable svelte/prefer-svelte-reactivity --
   The candidates map is built whole and assigned to $state.raw; it is never mutated. */
import type { MoveCandidate } from '../../../electron/shared/actions';
import type { Address, ApiError } from '../../../electron/shared/types';

/** How a card looks while another one is dragged ('unchecked': the engine's answer is not in yet, or failed). */
export type DropVerdict = 'source' | 'unchecked' | 'valid' | 'warning' | 'invalid';

export interface DropTarget {
  verdict: DropVerdict;
  /** Why not (invalid), or the caveat (warning). */
  text: string | null;
}

export type DropResult =
  | { kind: 'plan'; node: Address; master: Address }
  | { kind: 'refused'; node: Address; target: Address; reason: string }
  | { kind: 'none' };

/** A refused drop, shown over the graph until the next drag or a dismiss. */
export interface MoveNotice {
  node: Address;
  target: Address;
  reason: string;
}

export class MoveState {
  /** The card being dragged. */
  dragging = $state<Address | null>(null);
  /** null while the engine's answer is on its way. */
  candidates = $state.raw<ReadonlyMap<Address, MoveCandidate> | null>(null);
  /** The card under the pointer (never the dragged one). */
  over = $state<Address | null>(null);
  /** The candidates could not be read; a drop then goes straight to the planner, which checks everything. */
  error = $state.raw<ApiError | null>(null);
  notice = $state.raw<MoveNotice | null>(null);
  /** Where the pointer is (viewport px), for the drag ghost that follows it. */
  pointer = $state.raw<{ x: number; y: number } | null>(null);

  #token = 0;

  readonly active: boolean = $derived(this.dragging !== null);

  /** Valid targets, for the hint over the graph. */
  readonly validCount: number = $derived(
    this.candidates === null ? 0 : [...this.candidates.values()].filter((c) => c.valid).length,
  );

  /** Starts a drag; returns a token that loaded()/failed() must present. */
  begin(node: Address): number {
    this.#token += 1;
    this.dragging = node;
    this.candidates = null;
    this.over = null;
    this.pointer = null;
    this.error = null;
    this.notice = null;
    return this.#token;
  }

  loaded(token: number, candidates: readonly MoveCandidate[]): void {
    if (token !== this.#token || this.dragging === null) return;
    this.candidates = new Map(candidates.map((c) => [c.address, c]));
  }

  failed(token: number, error: ApiError): void {
    if (token !== this.#token || this.dragging === null) return;
    this.error = error;
  }

  hover(address: Address | null, pointer: { x: number; y: number } | null = null): void {
    if (this.dragging === null) return;
    this.over = address === this.dragging ? null : address;
    if (pointer) this.pointer = pointer;
  }

  /** What a card shows while a drag is on; null when no drag is on. */
  targetFor(address: Address): DropTarget | null {
    if (this.dragging === null) return null;
    if (address === this.dragging) return { verdict: 'source', text: null };
    if (this.candidates === null) {
      return { verdict: 'unchecked', text: this.error ? `not checked (${this.error.message}): the plan will check it` : null };
    }
    const candidate = this.candidates.get(address);
    if (!candidate) return { verdict: 'invalid', text: 'not in the topology the engine knows: wait for the next update' };
    if (!candidate.valid) return { verdict: 'invalid', text: candidate.reason ?? 'not a valid master for this node' };
    return candidate.warning ? { verdict: 'warning', text: candidate.warning } : { verdict: 'valid', text: null };
  }

  /**
   * Ends the drag over `target` (null: over nothing). A valid target means "plan it"; an
   * invalid one leaves a notice with the reason; unknown candidates (still loading, or the
   * call failed) go to the planner, whose checks refuse what is not allowed.
   */
  drop(target: Address | null): DropResult {
    const node = this.dragging;
    this.#token += 1;
    this.dragging = null;
    this.over = null;
    this.pointer = null;
    const candidates = this.candidates;
    this.candidates = null;
    this.error = null;
    if (node === null || target === null || target === node) return { kind: 'none' };
    const candidate = candidates?.get(target);
    if (candidates !== null && (!candidate || !candidate.valid)) {
      const reason = candidate?.reason ?? 'not in the topology the engine knows';
      this.notice = { node, target, reason };
      return { kind: 'refused', node, target, reason };
    }
    return { kind: 'plan', node, master: target };
  }

  /** Escape: the drag ends here and now, and the drop that ends the pointer's drag finds none (nothing is planned). */
  cancel(): void {
    this.#token += 1;
    this.dragging = null;
    this.candidates = null;
    this.over = null;
    this.pointer = null;
    this.error = null;
  }

  dismissNotice(): void {
    this.notice = null;
  }

  reset(): void {
    this.cancel();
    this.notice = null;
  }
}
