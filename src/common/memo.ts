// A pure function's answers kept by argument, for the hot paths that ask the same few questions
// on every request (a Host's origin, a host's registrable domain, a Content-Type's verdict, a
// URL's site). Past `max` entries the table starts again, so a caller inventing arguments (a
// client sending ever new Hosts, a crawler-like agent) cannot grow it.

/**
 * `fn` memoized on `keyOf(argument)` (the argument itself by default; give a key when the answer
 * depends on only part of it, as a URL's site on its scheme and host). Every answer is kept,
 * undefined and null included.
 */
export function memoized<A, V, K = A>(fn: (argument: A) => V, max: number, keyOf?: (argument: A) => K): (argument: A) => V {
  const table = new Map<K, V>();
  return (argument) => {
    const key = keyOf === undefined ? (argument as unknown as K) : keyOf(argument);
    const known = table.get(key);
    if (known !== undefined || table.has(key)) return known as V;
    const answer = fn(argument);
    if (table.size >= max) table.clear();
    table.set(key, answer);
    return answer;
  };
}
