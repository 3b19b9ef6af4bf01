// What a process really holds: its heap and external memory right after a full collection, in
// MiB. RSS only says what the allocator has not returned to the OS, so a leak shows here first
// and a heap that grew once and stays grown does not count as one. `gc` comes from a fresh
// context after --expose-gc is set at run time, so no process needs the flag on its command line.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function liveHeapMiB(): number {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 1048576;
}
