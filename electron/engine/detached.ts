// V8 keeps a substring of 13 characters or more as a view into the string it was cut from (a
// sliced string), and a joined string as a pair of its parts (a cons string): either keeps the
// whole parent alive. A run_id or an address kept from a reply of megabytes holds every one of
// them for as long as it is kept.

/** A copy of `text` that keeps no other string alive (a flat string of its own). */
export function detached(text: string): string {
  // Cutting a joined string flattens the join into a new string first: the cut keeps only that.
  return (' ' + text).slice(1);
}
