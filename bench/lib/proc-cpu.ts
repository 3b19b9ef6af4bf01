// CPU time of other processes, read from Linux's /proc: what a server child or a PostgreSQL
// backend spent (user + system, every thread of the process) between two samples. proc(5):
// /proc/<pid>/stat fields 14 (utime) and 15 (stime), in clock ticks (sysconf(_SC_CLK_TCK),
// 100 on Linux: 10 ms resolution, which is why callers sample around runs of seconds).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** sysconf(_SC_CLK_TCK), from `getconf CLK_TCK` (Node has no sysconf); 100 when getconf is missing. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    ticksPerSecond = out.status === 0 && Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** True when this machine has /proc/<pid>/stat (Linux). */
export function canReadProcessCpu(): boolean {
  return processCpuMicros(process.pid) !== undefined;
}

/**
 * User + system CPU µs the process `pid` has used since it started (all its threads: V8's GC and
 * compiler threads, libuv's pool), or undefined when it is gone or /proc is not there.
 */
export function processCpuMicros(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is in parentheses and may hold spaces or parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1e6) / clockTicks();
}

/** CPU µs of each of `pids` now (the ones still there). */
export function cpuOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const us = processCpuMicros(pid);
    if (us !== undefined) out.set(pid, us);
  }
  return out;
}

/**
 * CPU µs spent between two samples: for each process in `after`, its time minus its time in
 * `before`, a process that appeared in between counting from 0 (it started during the run). A
 * process that ended in between is lost (its time is not in /proc any more).
 */
export function cpuBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, us] of after) total += us - (before.get(pid) ?? 0);
  return total;
}

/** Clock ticks one CPU has spent busy (anything but idle and iowait) and in all, from /proc/stat. */
export interface CoreTicks {
  busy: number;
  total: number;
}

/**
 * /proc/stat's `cpuN` lines (proc(5): user nice system idle iowait irq softirq steal, in clock
 * ticks since boot), by CPU number; empty without /proc. Whether a core was busy with anyone's
 * work (other processes on a shared machine too), next to what the process on it used.
 */
export function coreTicks(): Map<number, CoreTicks> {
  const out = new Map<number, CoreTicks>();
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    out.set(Number(m[1]), { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total });
  }
  return out;
}

/** The fraction of time CPU `core` was busy between two coreTicks() samples (NaN if unknown). */
export function coreBusyBetween(before: ReadonlyMap<number, CoreTicks>, after: ReadonlyMap<number, CoreTicks>, core: number): number {
  const a = before.get(core);
  const b = after.get(core);
  if (a === undefined || b === undefined || b.total === a.total) return Number.NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}
