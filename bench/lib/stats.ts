// Small statistics and formatting helpers for the benchmark report.

/** Sorted copy (ascending). */
function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Percentile by linear interpolation between closest ranks (p in [0, 100]); NaN for no data. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = sorted(xs);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = s[lo]!;
  const b = s[hi]!;
  return a + (b - a) * (rank - lo);
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** One contender's measurements, each tagged with the round (or block) it was taken in. */
export interface ByRound {
  values: readonly number[];
  rounds: readonly number[];
}

/**
 * The median over rounds of a's median / b's median within that round, for the rounds both took
 * part in (NaN when none): the contenders of one round ran side by side, so drift over the run
 * (another process, the host) cancels out of each round's ratio, which a ratio of the two overall
 * medians keeps.
 */
export function medianRoundRatio(a: ByRound, b: ByRound): number {
  const group = (x: ByRound): Map<number, number[]> => {
    const m = new Map<number, number[]>();
    x.values.forEach((v, i) => {
      const r = x.rounds[i]!;
      const list = m.get(r);
      if (list) list.push(v);
      else m.set(r, [v]);
    });
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  const ratios: number[] = [];
  for (const [round, va] of ga) {
    const vb = gb.get(round);
    if (vb !== undefined) ratios.push(median(va) / median(vb));
  }
  return median(ratios);
}

/** Milliseconds with a precision that suits the magnitude. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 100) return `${x.toFixed(0)} ms`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  return `${x.toFixed(2)} ms`;
}

/** An operation rate, e.g. "12,345 /s". */
export function rate(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${Math.round(x).toLocaleString('en-US')} /s`;
}

export function ratio(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}

export function bytes(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  if (abs >= 1024 * 1024) return `${(x / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(x / 1024).toFixed(1)} KiB`;
  return `${Math.round(x)} B`;
}

/** "met" / "missed" with the margin. */
export function verdict(ok: boolean): string {
  return ok ? '**met**' : '**missed**';
}

/** A Markdown table. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
