// The node menu (on a card or in the details panel): which node it is for, where it opens,
// and the nodes it could replicate from (the menu's answer to dragging the card).
import type { MoveCandidate } from '../../../electron/shared/actions';
import type { Address, ApiError } from '../../../electron/shared/types';

/** Viewport coordinates of the button that opened the menu. */
export interface MenuAnchor {
  left: number;
  top: number;
  bottom: number;
  right: number;
}

export class NodeMenuState {
  address = $state<Address | null>(null);
  anchor = $state.raw<MenuAnchor | null>(null);
  /** Possible new masters, valid ones first; null until loaded. */
  candidates = $state.raw<MoveCandidate[] | null>(null);
  error = $state.raw<ApiError | null>(null);

  #token = 0;

  readonly open: boolean = $derived(this.address !== null);

  /** Opens (or moves) the menu; returns the token loaded()/failed() must present. */
  show(address: Address, anchor: MenuAnchor): number {
    this.#token += 1;
    this.address = address;
    this.anchor = anchor;
    this.candidates = null;
    this.error = null;
    return this.#token;
  }

  loaded(token: number, candidates: readonly MoveCandidate[]): void {
    if (token !== this.#token || this.address === null) return;
    this.candidates = [...candidates].sort((a, b) => Number(b.valid) - Number(a.valid) || a.address.localeCompare(b.address));
  }

  failed(token: number, error: ApiError): void {
    if (token !== this.#token || this.address === null) return;
    this.error = error;
  }

  close(): void {
    this.#token += 1;
    this.address = null;
    this.anchor = null;
    this.candidates = null;
    this.error = null;
  }
}
