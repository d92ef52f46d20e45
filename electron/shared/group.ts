/**
 * Adds `item` to the list kept under `key`, starting the list if there is none. A push: the
 * spread it replaces (`map.set(key, [...(map.get(key) ?? []), item])`) copied the list on every
 * add, quadratic in a group's size (a master's 49 replicas on every tick).
 */
export function addToGroup<K, V>(groups: Map<K, V[]>, key: K, item: V): void {
  const list = groups.get(key);
  if (list) list.push(item);
  else groups.set(key, [item]);
}
