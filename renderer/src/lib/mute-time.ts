// How long a mute still runs, in the few characters a card has: "14 min", "3 h 5 min", "2 d 4 h".

/**
 * Time left until `until` (ms since epoch) at `now`, to the nearest minute (at least 1 while it
 * runs): the reactive clock may be a second behind, and a 1 h mute must not read "1 h 1 min".
 */
export function muteLeft(until: number, now: number): string {
  const ms = until - now;
  const minutes = ms <= 0 ? 0 : Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}
