// State objects kept past the component that first asks for them (a topology's graph view, a
// tab's connection form) must not be owned by that component. A $derived made while a component
// initialises belongs to the component's effect: once the component is gone (a tab switched
// away, the connect screen left after connecting), reading it returns its last value, stale, with
// Svelte's "derived_inert" warning. The tab's problems count and order froze this way.

/** Run `make` under a root effect of its own, so the deriveds it creates outlive the caller's component. */
export function detached<T>(make: () => T): T {
  let made: { value: T } | null = null;
  // The root is never destroyed: what it owns lives as long as the object made here is referenced.
  $effect.root(() => {
    made = { value: make() };
  });
  // Server-side (the unit tests' render) there are no effects to own anything: make it as it is.
  return made === null ? make() : (made as { value: T }).value;
}
