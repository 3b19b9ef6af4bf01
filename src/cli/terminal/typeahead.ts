// Keys typed ahead: a prompt or the chooser ends at its Enter, but the same chunk of input may
// already hold what the user typed next (a fast typist, a paste of "email⏎password⏎"). Those keys
// are kept here for the next reader of the same input instead of being dropped with the chunk.

import type { Key } from './keys.js';
import type { TerminalInput } from './streams.js';

const pending = new WeakMap<TerminalInput, Key[]>();

/** Keys left over by the last reader of `input` (and forgets them). */
export function takeTypeahead(input: TerminalInput): Key[] {
  const keys = pending.get(input) ?? [];
  pending.delete(input);
  return keys;
}

/** Keeps `keys` for the next reader of `input`. */
export function keepTypeahead(input: TerminalInput, keys: readonly Key[]): void {
  if (keys.length > 0) pending.set(input, [...(pending.get(input) ?? []), ...keys]);
}
