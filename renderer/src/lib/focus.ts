// Where keyboard focus goes back to when a menu or dialog about a node closes: that node card's
// actions button. The element that opened them is often gone by then (the menu closes as the plan
// dialog opens), and focus fell to <body>, leaving a keyboard user at the top of the page.

/** Focus the actions button of the node card for `address`, if it is on screen (after the closing render). */
export function focusNodeMenuButton(address: string | null | undefined): void {
  if (!address) return;
  queueMicrotask(() => document.querySelector<HTMLElement>(`[data-testid="node-menu-button-${CSS.escape(address)}"]`)?.focus());
}
