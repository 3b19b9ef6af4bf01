// The event loop's stalls while scenarios run. waves() (trace.ts) reads the order of arrivals
// against the ends of held answers (HOLD_MS, world.ts); a stretch in which this process runs
// nothing else longer than a fair part of the hold (a module loaded synchronously, a long GC, a
// starved CPU) lets a held answer end only after requests that were sent before it, so the waves
// of a run that saw one say nothing about the client. The suite looks here before it blames the
// agent for its waves.

import { HOLD_MS } from './world.js';

/** A stall this long (or longer) may move a request into the next wave. */
export const WAVE_STALL_MS = HOLD_MS / 2;
const TICK_MS = 10;

/** The stalls seen, as [end time, length] in ms (performance.now()), for the last minute. */
const seen: [number, number][] = [];
let timer: NodeJS.Timeout | undefined;
let users = 0;

/** Starts watching (once for the process); stop() with as many calls ends it. */
export function watchStalls(): { stop(): void } {
  users += 1;
  if (timer === undefined) {
    let last = performance.now();
    timer = setInterval(() => {
      const now = performance.now();
      const late = now - last - TICK_MS;
      last = now;
      if (late >= WAVE_STALL_MS) seen.push([now, late]);
      while (seen.length > 0 && seen[0]![0] < now - 60_000) seen.shift();
    }, TICK_MS);
    timer.unref();
  }
  return {
    stop() {
      users -= 1;
      if (users === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}

/** The longest stall that overlapped [from, to] (performance.now() times), or 0. */
export function longestStall(from: number, to: number): number {
  let longest = 0;
  for (const [end, length] of seen) if (end >= from && end - length <= to) longest = Math.max(longest, length);
  return longest;
}
